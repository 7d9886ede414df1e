import { type Actor, type AnyActorRef, createActor, type InspectionEvent, waitFor } from 'xstate';
import { PendingReplies, type RequestBody } from '../actors/child/pending-replies.js';
import type { ChildMessage } from '../actors/child/wrapper-events.js';
import type { BusEvent } from '../bus/events.js';
import type { ProcessDefinition } from '../daemon/process-definition.js';
import { GuvError } from '../errors.js';
import type { ClusterContext, ClusterInput } from '../machines/cluster/cluster-types.js';
import { provideCluster } from '../machines/cluster/provide-cluster.js';
import { allWorkers, clusterInfo } from '../machines/cluster/worker-records.js';
import type { HistoryEntry } from '../machines/history.js';
import type { ChartClock, SupervisionContext } from '../machines/process/supervision-context.js';
import { resolveTimeouts } from '../machines/process/supervision-context.js';
import {
  decideAfterExit,
  type FailureState,
  NO_FAILURES,
  resolveRestartPolicy,
} from '../machines/restart-policy.js';
import { workerInfo } from '../machines/worker/info.js';
import type { ClusterInfo, ProcessStatus, SerializedError, WorkerInfo } from '../types/info.js';
import { createManagerLogic, type ManagerActorDeps } from './manager-actor.js';
import { ManagerLink } from './manager-link.js';
import { createWorkerChildLogic } from './worker-child-actor.js';
import { chartTimers } from '../daemon/chart-timers.js';

type ClusterLogic = ReturnType<typeof provideCluster>;
type ClusterSnapshot = ReturnType<Actor<ClusterLogic>['getSnapshot']>;

export interface ClusterSupervisorDeps {
  clock: ChartClock;
  /** Every transition of the cluster chart and of its workers' charts. */
  publish(event: BusEvent): void;
  onManagerOutput(cluster: ClusterSupervisor, stream: 'stdout' | 'stderr', chunk: Buffer): void;
  onWorkerOutput(
    cluster: ClusterSupervisor,
    workerId: string,
    stream: 'stdout' | 'stderr',
    data: string,
  ): void;
  /** Wrapper messages of a worker that no chart handles: logs, heartbeats, config requests. */
  onWorkerMessage(cluster: ClusterSupervisor, workerId: string, message: ChildMessage): void;
  /** Something persisted changed (status, instances). */
  onChange(): void;
  onChartError(definition: ProcessDefinition, error: unknown): void;
  /** Options for the manager process (paths, identity lookups), mostly for tests. */
  manager?: Partial<Omit<ManagerActorDeps, 'link' | 'onOutput'>>;
  heartbeatMs?: number;
  /** How long a reload waits for one new worker; 60 s unless told. */
  reloadTimeoutMs?: number;
  /** Passed to createActor, so the visualiser sees transient states (registry.inspect). */
  inspect?: (event: InspectionEvent) => void;
  /** Each new run of the cluster chart (first start, restart after its manager died), for the registry. */
  onRun?(cluster: ClusterSupervisor, actor: AnyActorRef): void;
}

/** Cluster states in which the cluster takes RESIZE and RELOAD. */
const IDLE = { managed: { active: { operation: 'idle' } } } as const;

/** One worker as `guv list` and `info` show it. */
export interface WorkerState extends WorkerInfo {
  /** The serving worker of its slot, a reload's new one, or one being retired. */
  role: 'serving' | 'incoming' | 'retiring';
}

/**
 * The daemon's side of one cluster: the cluster chart (and the worker charts it spawns) with
 * their real actors bound to one manager process, plus what the chart leaves to its owner: the
 * user's intent, and restarting the whole cluster by its restart policy when its manager dies
 * (the chart's `failed` is final; a restart is a new chart run with a new manager).
 */
export class ClusterSupervisor {
  readonly kind = 'cluster' as const;
  /** Workers are reached through the manager; there is no direct handle. */
  readonly handle = null;
  definition: ProcessDefinition;
  desired: 'running' | 'stopped' = 'stopped';

  readonly #deps: ClusterSupervisorDeps;
  readonly #link = new ManagerLink();
  readonly #logic: ClusterLogic;
  #actor: Actor<ClusterLogic> | null = null;
  #failure: FailureState = NO_FAILURES;
  #restarts = 0;
  #runStartedAt: number | null = null;
  #restartTimer: NodeJS.Timeout | null = null;
  #aborted: SerializedError | null = null;
  /** Once any worker listened, reloads wait for each new worker to listen too. */
  #serves = false;
  readonly #waiters = new Set<(event: BusEvent) => void>();
  /** Requests to workers' wrappers (send, gc, heapdump) not answered yet, by worker id. */
  readonly #replies = new Map<string, PendingReplies>();

  constructor(definition: ProcessDefinition, deps: ClusterSupervisorDeps) {
    this.definition = definition;
    this.#deps = deps;
    const killTimeoutMs = resolveTimeouts(definition.timeouts).killMs;
    this.#logic = provideCluster({
      manager: createManagerLogic({
        ...deps.manager,
        link: this.#link,
        onOutput: (stream, chunk) => deps.onManagerOutput(this, stream, chunk),
      }),
      child: createWorkerChildLogic({
        clusterId: definition.id,
        link: this.#link,
        killTimeoutMs,
        ...(deps.heartbeatMs !== undefined ? { heartbeatMs: deps.heartbeatMs } : {}),
        ...(deps.manager?.orphanKillMs !== undefined
          ? { orphanKillMs: deps.manager.orphanKillMs }
          : {}),
        onOutput: (workerId, stream, data) => deps.onWorkerOutput(this, workerId, stream, data),
        onMessage: (workerId, message) => this.#onWorkerMessage(workerId, message),
        onReply: (workerId, reply) => this.#replies.get(workerId)?.settle(reply),
        onGone: (workerId) => {
          this.#replies.get(workerId)?.rejectAll(`worker ${workerId}`);
          this.#replies.delete(workerId);
        },
      }),
      publish: (event) => this.#publish(event),
    });
  }

  get id(): string {
    return this.definition.id;
  }

  /** The manager's pid, or null. */
  get pid(): number | null {
    return this.#context()?.pid ?? null;
  }

  info(): ClusterInfo {
    const context = this.#context();
    const base: ClusterInfo = context
      ? clusterInfo(context)
      : {
          id: this.definition.id,
          name: this.definition.name,
          script: this.definition.spec.script,
          pid: null,
          status: 'uninitialised',
          restarts: 0,
          startedAt: null,
          instances: this.#instances(),
        };
    return { ...base, restarts: this.#restarts, status: this.#status(base.status) };
  }

  /** The chart's state: starting, ready, online, reloading, stopping, stopped, failed. */
  state(): string {
    const snapshot = this.#actor?.getSnapshot();
    return snapshot ? chartState(snapshot) : 'stopped';
  }

  lastError(): SerializedError | null {
    return this.#aborted ?? this.#context()?.lastError ?? null;
  }

  /** Every worker the cluster owns now, serving ones first, by slot. */
  workers(): WorkerState[] {
    const snapshot = this.#actor?.getSnapshot();
    if (!snapshot) return [];
    const { context } = snapshot;
    const roles = new Map<string, WorkerState['role']>([
      ...context.slots.map((w) => [w.id, 'serving'] as const),
      ...(context.incoming ? [[context.incoming.id, 'incoming'] as const] : []),
      ...context.retiring.map((w) => [w.id, 'retiring'] as const),
    ]);
    return allWorkers(context).map((record) => {
      const chart = this.#workerContext(snapshot, record.id);
      const worker = chart ? workerInfo(chart) : { ...record, startedAt: null };
      return {
        id: worker.id,
        index: worker.index,
        pid: worker.pid,
        status: worker.status,
        restarts: worker.restarts,
        startedAt: worker.startedAt,
        role: roles.get(record.id) ?? 'serving',
      };
    });
  }

  /** The live info of one worker, for its log events; null once it is gone. */
  workerInfo(workerId: string): WorkerInfo | null {
    const snapshot = this.#actor?.getSnapshot();
    const chart = snapshot && this.#workerContext(snapshot, workerId);
    return chart ? workerInfo(chart) : null;
  }

  /** The history of the serving worker of slot `index` (`guv why <p> --worker <index>`). */
  workerHistory(index: number): { id: string; history: HistoryEntry[] } {
    const snapshot = this.#actor?.getSnapshot();
    const record = snapshot?.context.slots[index];
    const chart = snapshot && record && this.#workerContext(snapshot, record.id);
    if (!chart) {
      throw new GuvError(
        'GUV_WORKER_NOT_FOUND',
        `${this.definition.name} has no worker ${index} (it has ${snapshot?.context.slots.length ?? 0})`,
      );
    }
    return { id: chart.id, history: chart.history };
  }

  /** The cluster chart's own history (manager up, online, reloading…), in `guv why`'s shape. */
  history(): HistoryEntry[] {
    return (this.#context()?.history ?? []) as unknown as HistoryEntry[];
  }

  async start(by: string, timeoutMs: number): Promise<ClusterInfo> {
    this.desired = 'running';
    this.#deps.onChange();
    if (!this.#live()) {
      this.#failure = NO_FAILURES;
      this.#aborted = null;
      this.#cancelRestart();
      this.#run();
    }
    void by;
    await this.#settle(timeoutMs, 'start');
    return this.info();
  }

  async stop(_by: string, timeoutMs: number): Promise<ClusterInfo> {
    this.desired = 'stopped';
    this.#deps.onChange();
    await this.#halt(timeoutMs);
    return this.info();
  }

  async restart(by: string, timeoutMs: number): Promise<ClusterInfo> {
    await this.#halt(timeoutMs);
    return this.start(by, timeoutMs);
  }

  /** Answers a worker's `config:request` (see ChildHandle.respondConfig). */
  respondConfig(
    workerId: string,
    requestId: number,
    value: unknown,
    error?: SerializedError,
  ): void {
    this.#link.post(workerId, {
      type: 'config:response',
      requestId,
      value,
      ...(error ? { error } : {}),
    });
  }

  /** Sends `signal` to every running worker (not to their manager); returns their pids. */
  signalWorkers(signal: NodeJS.Signals): number[] {
    const live = this.#liveWorkers();
    for (const worker of live) this.#link.signal(worker.id, signal);
    return live.map((worker) => worker.pid as number);
  }

  /**
   * Asks the wrapper of every running worker (`bodyFor` writes each one's request: send, gc,
   * heapdump) and resolves with their answers, by slot; rejects with the first failure.
   */
  requestWorkers(
    bodyFor: (worker: WorkerState) => RequestBody,
  ): Promise<Array<{ worker: WorkerState; result: unknown }>> {
    return Promise.all(
      this.#liveWorkers().map(async (worker) => {
        let replies = this.#replies.get(worker.id);
        if (!replies) {
          replies = new PendingReplies();
          this.#replies.set(worker.id, replies);
        }
        const result = await replies.request(bodyFor(worker), (message) =>
          this.#link.post(worker.id, message)
            ? null
            : new GuvError('GUV_PROCESS_NOT_RUNNING', `${this.definition.name} is not running`),
        );
        return { worker, result };
      }),
    );
  }

  /** Stops for good: the chart is dropped. */
  dispose(): void {
    this.#cancelRestart();
    this.#actor?.stop();
    this.#actor = null;
  }

  /**
   * A rolling reload: resolves once every slot runs a new worker, rejects with
   * GUV_RELOAD_FAILED (old workers kept) when a new one could not start.
   */
  async reload(timeoutMs: number): Promise<ClusterInfo> {
    const actor = this.#idleActor('reload');
    const outcome = this.#nextOf(['cluster:reloaded', 'cluster:reload:failed'], timeoutMs);
    actor.send({ type: 'RELOAD' });
    const event = await outcome;
    if (event.type === 'cluster:reload:failed') {
      throw new GuvError(
        'GUV_RELOAD_FAILED',
        `reload of ${this.definition.name} failed: ${event.args[1].message}`,
      );
    }
    return this.info();
  }

  /** Changes the worker count; resolves once the cluster runs exactly that many workers. */
  async resize(instances: number, timeoutMs: number): Promise<ClusterInfo> {
    if (!Number.isInteger(instances) || instances < 1 || instances > 1024) {
      throw new GuvError(
        'GUV_BAD_ARGUMENT',
        `workers must be a number from 1 to 1024, got ${instances}`,
      );
    }
    this.definition = { ...this.definition, instances };
    this.#deps.onChange();
    if (!this.#live()) return this.info();
    const actor = this.#idleActor('resize');
    actor.send({ type: 'RESIZE', instances });
    await this.#waitUntil(
      (s) =>
        s.status !== 'active' || (chartState(s) === 'online' && s.context.retiring.length === 0),
      timeoutMs,
      'resize',
    );
    return this.info();
  }

  #liveWorkers(): WorkerState[] {
    const live = this.#live() ? this.workers().filter((worker) => worker.pid !== null) : [];
    if (live.length === 0) {
      throw new GuvError(
        'GUV_PROCESS_NOT_RUNNING',
        `${this.definition.name} has no running worker`,
      );
    }
    return live;
  }

  #instances(): number {
    return this.definition.instances ?? 1;
  }

  #context(): ClusterContext | null {
    return this.#actor?.getSnapshot().context ?? null;
  }

  #workerContext(snapshot: ClusterSnapshot, workerId: string): SupervisionContext | null {
    const child = (snapshot.children as Record<string, { getSnapshot(): unknown } | undefined>)[
      workerId
    ];
    const childSnapshot = child?.getSnapshot() as { context?: SupervisionContext } | undefined;
    return childSnapshot?.context ?? null;
  }

  #status(chart: ProcessStatus): ProcessStatus {
    if (this.#restartTimer) return 'restarting';
    if (this.#aborted) return 'aborted';
    return chart;
  }

  #live(): boolean {
    return this.#actor !== null && this.#actor.getSnapshot().status === 'active';
  }

  #idleActor(what: string): Actor<ClusterLogic> {
    const actor = this.#actor as Actor<ClusterLogic>;
    if (actor?.getSnapshot().status !== 'active') {
      throw new GuvError('GUV_PROCESS_NOT_RUNNING', `${this.definition.name} is not running`);
    }
    if (!actor.getSnapshot().matches(IDLE)) {
      throw new GuvError(
        'GUV_BUSY',
        `cannot ${what} ${this.definition.name} while it is ${this.state()}`,
      );
    }
    return actor;
  }

  /** Starts a new run of the chart (and so a new manager). */
  #run(): void {
    const input: ClusterInput = {
      id: this.definition.id,
      name: this.definition.name,
      spec: this.definition.spec,
      instances: this.#instances(),
      clock: this.#deps.clock,
      policy: this.definition.policy,
      timeouts: this.definition.timeouts,
      restarts: this.#restarts,
      reloadWaitsForListening: true,
      ...(this.#deps.reloadTimeoutMs !== undefined
        ? { reloadTimeoutMs: this.#deps.reloadTimeoutMs }
        : {}),
    };
    const actor = createActor(this.#logic, {
      input,
      clock: chartTimers,
      ...(this.#deps.inspect ? { inspect: this.#deps.inspect } : {}),
    });
    this.#actor = actor;
    this.#runStartedAt = this.#deps.clock.now();
    let lastStatus: ProcessStatus | null = null;
    actor.subscribe({
      next: (snapshot) => {
        if (snapshot.context.status !== lastStatus) {
          lastStatus = snapshot.context.status;
          this.#deps.onChange();
        }
        if (snapshot.status === 'done' && this.#actor === actor) this.#ended(snapshot);
      },
      error: (error) => this.#deps.onChartError(this.definition, error),
    });
    actor.start();
    this.#deps.onRun?.(this, actor);
  }

  /** The chart finished: stopped on request, or failed (its manager died or never started). */
  #ended(snapshot: ClusterSnapshot): void {
    if (snapshot.context.status !== 'failed' || this.desired !== 'running') return;
    const now = this.#deps.clock.now();
    const decision = decideAfterExit(resolveRestartPolicy(this.definition.policy), this.#failure, {
      code: 1,
      signal: null,
      runStartedAt: this.#runStartedAt,
      now,
    });
    this.#failure = decision.state;
    if (decision.action === 'abort') {
      this.#aborted = {
        name: 'GuvError',
        code: 'GUV_PROCESS_ABORTED',
        message: `aborted after ${decision.message}`,
      };
      this.#deps.onChange();
      return;
    }
    if (decision.action !== 'restart') return;
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = null;
      if (this.desired !== 'running') return;
      this.#restarts += 1;
      this.#run();
    }, decision.delayMs);
    this.#deps.onChange();
  }

  #cancelRestart(): void {
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    this.#restartTimer = null;
  }

  /** Stops the current run, if any, and waits until its chart is done. */
  async #halt(timeoutMs: number): Promise<void> {
    this.#cancelRestart();
    this.#aborted = null;
    if (!this.#live()) return;
    this.#actor!.send({ type: 'STOP' });
    await this.#waitUntil((s) => s.status === 'done', timeoutMs, 'stop');
  }

  /** A start settles once the cluster is online, or it is clear it will not be soon. */
  async #settle(timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const actor = this.#actor;
      if (!actor) return;
      await this.#waitUntil(
        (s) =>
          s.status !== 'active' ||
          chartState(s) === 'online' ||
          s.context.slots.some((w) => SLOT_DOWN.has(w.status)),
        Math.max(1, deadline - Date.now()),
        what,
      );
      if (actor.getSnapshot().status === 'active' || !this.#restartTimer) return;
      // Its manager died and the policy restarts it: follow the next run.
      while (this.#actor === actor && this.#restartTimer && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // Past the deadline with the restart still pending, waitFor on the finished chart resolves
      // at once: without this the loop would spin on microtasks and freeze the daemon.
      if (this.#actor === actor && this.#restartTimer && Date.now() >= deadline) {
        throw new GuvError(
          'GUV_TIMEOUT',
          `${what} of ${this.definition.name} did not finish within ${timeoutMs} ms (state ${this.state()})`,
        );
      }
    }
  }

  async #waitUntil(
    predicate: (snapshot: ClusterSnapshot) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<void> {
    const actor = this.#actor;
    if (!actor) return;
    try {
      await waitFor(actor, predicate, { timeout: timeoutMs });
    } catch (error) {
      if (actor.getSnapshot().status === 'error') {
        throw new GuvError('GUV_CHART_FAILED', `the chart of ${this.definition.name} failed`, {
          cause: error,
        });
      }
      throw new GuvError(
        'GUV_TIMEOUT',
        `${what} of ${this.definition.name} did not finish within ${timeoutMs} ms (state ${this.state()})`,
        { cause: error },
      );
    }
  }

  /** The next of these events this cluster publishes; rejects if the chart ends first. */
  #nextOf<T extends BusEvent['type']>(
    types: T[],
    timeoutMs: number,
  ): Promise<Extract<BusEvent, { type: T }>> {
    return new Promise((resolve, reject) => {
      const done = (outcome: () => void) => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        outcome();
      };
      const waiter = (event: BusEvent) => {
        if ((types as string[]).includes(event.type)) {
          done(() => resolve(event as Extract<BusEvent, { type: T }>));
        } else if (event.type === 'cluster:failed' || event.type === 'cluster:stopping') {
          done(() =>
            reject(
              new GuvError(
                'GUV_RELOAD_FAILED',
                `${this.definition.name} went ${event.type.slice('cluster:'.length)} during the operation`,
              ),
            ),
          );
        }
      };
      const timer = setTimeout(
        () =>
          done(() =>
            reject(
              new GuvError(
                'GUV_TIMEOUT',
                `${this.definition.name} did not finish within ${timeoutMs} ms (state ${this.state()})`,
              ),
            ),
          ),
        timeoutMs,
      );
      this.#waiters.add(waiter);
    });
  }

  #publish(event: BusEvent): void {
    this.#deps.publish(event);
    // An app that never listens must still reload: its workers count as listening once ready.
    if (event.type === 'worker:ready' && !this.#serves) {
      this.#actor?.send({ type: 'WORKER.LISTENING', workerId: event.args[1].id });
    }
    for (const waiter of [...this.#waiters]) waiter(event);
  }

  #onWorkerMessage(workerId: string, message: ChildMessage): void {
    if (message.type === 'listening') {
      this.#serves = true;
      this.#actor?.send({ type: 'WORKER.LISTENING', workerId });
    }
    this.#deps.onWorkerMessage(this, workerId, message);
  }
}

/**
 * The cluster's state read from where the chart is (context.state keeps the last state the
 * chart recorded, which stays `reloading` after a reload until the health changes again).
 */
function chartState(snapshot: ClusterSnapshot): string {
  if (snapshot.status !== 'active') return snapshot.context.status;
  if (snapshot.matches({ managed: 'starting' })) return 'starting';
  if (snapshot.matches({ managed: 'stopping' })) return 'stopping';
  if (snapshot.matches({ managed: { active: { operation: 'reloading' } } })) return 'reloading';
  return snapshot.matches({ managed: { active: { health: 'online' } } }) ? 'online' : 'ready';
}

/** Slot statuses that mean a start will not reach online without further failures. */
const SLOT_DOWN: ReadonlySet<ProcessStatus> = new Set(['restarting', 'failed', 'aborted']);

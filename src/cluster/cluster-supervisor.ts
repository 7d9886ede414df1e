import { type Actor, type AnyActorRef, createActor, type InspectionEvent } from 'xstate';
import type { RequestBody } from '../actors/child/pending-replies.js';
import type { ChildMessage } from '../actors/child/wrapper-events.js';
import type { BusEvent } from '../bus/events.js';
import { chartTimers } from '../daemon/chart-timers.js';
import type { ProcessDefinition } from '../daemon/process-definition.js';
import { settle } from '../daemon/settle.js';
import { GuvError } from '../errors.js';
import { provideCluster } from '../machines/cluster/provide-cluster.js';
import { clusterInfo } from '../machines/cluster/worker-records.js';
import type { HistoryEntry } from '../machines/history.js';
import type { ChartClock } from '../machines/process/supervision-context.js';
import { resolveTimeouts } from '../machines/process/supervision-context.js';
import { workerInfo } from '../machines/worker/info.js';
import type { ClusterInfo, SerializedError, WorkerInfo } from '../types/info.js';
import {
  type ClusterSnapshot,
  chartState,
  reloadOutcome,
  resizeOutcome,
  startOutcome,
  stopOutcome,
  type WorkerState,
  workerContext,
  workerStates,
} from './cluster-view.js';
import { createManagerLogic, type ManagerActorDeps } from './manager-actor.js';
import { ManagerLink } from './manager-link.js';
import { WorkerReplies } from './worker-replies.js';
import { createWorkerChildLogic } from './worker-child-actor.js';

export type { WorkerState } from './cluster-view.js';

type ClusterLogic = ReturnType<typeof provideCluster>;

export interface ClusterSupervisorDeps {
  clock: ChartClock;
  /** Every transition of the cluster chart and of its workers' charts. */
  publish(event: BusEvent): void;
  onManagerOutput(cluster: ClusterSupervisor, stream: 'stdout' | 'stderr', chunk: Buffer): void;
  /** A log line of the manager's own: cluster:log:<level>. */
  onManagerLog?(
    cluster: ClusterSupervisor,
    level: 'debug' | 'info' | 'warn' | 'error',
    message: string,
  ): void;
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
  /** The cluster's chart, once it exists, for the registry. */
  onChart?(cluster: ClusterSupervisor, actor: AnyActorRef): void;
}

/** Cluster states in which the cluster takes RESIZE and RELOAD. */
const IDLE = { managed: { active: { operation: 'idle' } } } as const;

/**
 * The daemon's side of one cluster: its chart (which owns the manager's whole life, restarts
 * included, and spawns the worker charts) bound to the real manager process and workers, plus
 * the user's intent and the requests to workers' wrappers. Requests go to the chart as events
 * and are answered from its snapshots.
 */
export class ClusterSupervisor {
  readonly kind = 'cluster' as const;
  /** Workers are reached through the manager; there is no direct handle. */
  readonly handle = null;
  definition: ProcessDefinition;
  desired: 'running' | 'stopped' = 'stopped';

  readonly #deps: ClusterSupervisorDeps;
  readonly #link = new ManagerLink();
  readonly #replies: WorkerReplies;
  readonly #actor: Actor<ClusterLogic>;

  constructor(definition: ProcessDefinition, deps: ClusterSupervisorDeps) {
    this.definition = definition;
    this.#deps = deps;
    this.#replies = new WorkerReplies(this.#link, definition.name);
    this.#actor = createActor(this.#logic(), {
      input: {
        id: definition.id,
        name: definition.name,
        spec: definition.spec,
        instances: definition.instances ?? 1,
        clock: deps.clock,
        policy: definition.policy,
        timeouts: definition.timeouts,
        reloadWaitsForListening: true,
        ...(deps.reloadTimeoutMs !== undefined ? { reloadTimeoutMs: deps.reloadTimeoutMs } : {}),
      },
      clock: chartTimers,
      ...(deps.inspect ? { inspect: deps.inspect } : {}),
    });
    let lastStatus: string | null = null;
    this.#actor.subscribe({
      next: ({ context }) => {
        if (context.status === lastStatus) return;
        lastStatus = context.status;
        deps.onChange();
      },
      error: (error) => deps.onChartError(this.definition, error),
    });
    this.#actor.start();
    deps.onChart?.(this, this.#actor);
  }

  get id(): string {
    return this.definition.id;
  }

  /** The manager's pid, or null. */
  get pid(): number | null {
    return this.#snapshot().context.pid;
  }

  info(): ClusterInfo {
    return clusterInfo(this.#snapshot().context);
  }

  /** The chart's state: starting, ready, online, reloading, stopping, or its status. */
  state(): string {
    return chartState(this.#snapshot());
  }

  lastError(): SerializedError | null {
    return this.#snapshot().context.lastError;
  }

  /** Every worker the cluster owns now, serving ones first, by slot. */
  workers(): WorkerState[] {
    return workerStates(this.#snapshot());
  }

  /** The live info of one worker, for its log events; null once it is gone. */
  workerInfo(workerId: string): WorkerInfo | null {
    const chart = workerContext(this.#snapshot(), workerId);
    return chart ? workerInfo(chart) : null;
  }

  /** The history of the serving worker of slot `index` (`guv why <p> --worker <index>`). */
  workerHistory(index: number): { id: string; history: HistoryEntry[] } {
    const snapshot = this.#snapshot();
    const record = snapshot.context.slots[index];
    const chart = record && workerContext(snapshot, record.id);
    if (!chart) {
      throw new GuvError(
        'GUV_WORKER_NOT_FOUND',
        `${this.definition.name} has no worker ${index} (it has ${snapshot.context.slots.length})`,
      );
    }
    return { id: chart.id, history: chart.history };
  }

  /** The cluster chart's own history (manager up, online, reloading…), in `guv why`'s shape. */
  history(): HistoryEntry[] {
    return this.#snapshot().context.history as unknown as HistoryEntry[];
  }

  async start(by: string, timeoutMs: number): Promise<ClusterInfo> {
    this.desired = 'running';
    this.#deps.onChange();
    this.#actor.send({ type: 'START', by });
    await this.#settle(startOutcome, 'start', timeoutMs);
    return this.info();
  }

  async stop(_by: string, timeoutMs: number): Promise<ClusterInfo> {
    this.desired = 'stopped';
    this.#deps.onChange();
    await this.#stopChart(timeoutMs);
    return this.info();
  }

  async restart(by: string, timeoutMs: number): Promise<ClusterInfo> {
    await this.#stopChart(timeoutMs);
    return this.start(by, timeoutMs);
  }

  /**
   * A rolling reload: resolves once every slot runs a new worker, rejects with
   * GUV_RELOAD_FAILED (old workers kept) when a new one could not start.
   */
  async reload(timeoutMs: number): Promise<ClusterInfo> {
    this.#assertIdle('reload');
    this.#actor.send({ type: 'RELOAD' });
    await this.#settle(reloadOutcome, 'reload', timeoutMs);
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
    const running = this.#snapshot().matches('managed');
    if (running) this.#assertIdle('resize');
    this.definition = { ...this.definition, instances };
    this.#deps.onChange();
    this.#actor.send({ type: 'RESIZE', instances });
    if (running) await this.#settle(resizeOutcome, 'resize', timeoutMs);
    return this.info();
  }

  /** Answers a worker's `config:request` (see ChildHandle.respondConfig), and says so. */
  respondConfig(
    workerId: string,
    requestId: number,
    key: string,
    value: unknown,
    error?: SerializedError,
  ): void {
    this.#link.post(workerId, {
      type: 'config:response',
      requestId,
      value,
      ...(error ? { error } : {}),
    });
    const worker = this.workerInfo(workerId);
    if (worker) {
      this.#deps.publish({
        type: 'worker:config:response',
        args: [this.info(), worker, key, value],
      });
    }
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
      this.#liveWorkers().map(async (worker) => ({
        worker,
        result: await this.#replies.request(worker.id, bodyFor(worker)),
      })),
    );
  }

  /** Stops for good: the chart is dropped. */
  dispose(): void {
    this.#actor.stop();
  }

  /** The cluster chart with its real actors: one manager process and its workers. */
  #logic(): ClusterLogic {
    const deps = this.#deps;
    return provideCluster({
      manager: createManagerLogic({
        ...deps.manager,
        link: this.#link,
        onOutput: (stream, chunk) => deps.onManagerOutput(this, stream, chunk),
        onLog: (level, message) => deps.onManagerLog?.(this, level, message),
      }),
      child: createWorkerChildLogic({
        clusterId: this.definition.id,
        link: this.#link,
        killTimeoutMs: resolveTimeouts(this.definition.timeouts).killMs,
        ...(deps.heartbeatMs !== undefined ? { heartbeatMs: deps.heartbeatMs } : {}),
        ...(deps.manager?.orphanKillMs !== undefined
          ? { orphanKillMs: deps.manager.orphanKillMs }
          : {}),
        onOutput: (workerId, stream, data) => deps.onWorkerOutput(this, workerId, stream, data),
        onMessage: (workerId, message) => this.#onWorkerMessage(workerId, message),
        onReply: (workerId, reply) => this.#replies.settle(workerId, reply),
        onGone: (workerId) => this.#replies.gone(workerId),
      }),
      publish: (event) => deps.publish(event),
    });
  }

  #snapshot(): ClusterSnapshot {
    return this.#actor.getSnapshot();
  }

  #stopChart(timeoutMs: number): Promise<true> {
    this.#actor.send({ type: 'STOP' });
    return this.#settle(stopOutcome, 'stop', timeoutMs);
  }

  #settle(
    outcome: (snapshot: ClusterSnapshot) => true | undefined,
    what: string,
    timeoutMs: number,
  ): Promise<true> {
    return settle(this.#actor, outcome, {
      timeoutMs,
      what,
      name: this.definition.name,
      where: (snapshot) => `state ${chartState(snapshot)}`,
    });
  }

  #liveWorkers(): WorkerState[] {
    const running = this.#snapshot().matches('managed');
    const live = running ? this.workers().filter((worker) => worker.pid !== null) : [];
    if (live.length === 0) {
      throw new GuvError(
        'GUV_PROCESS_NOT_RUNNING',
        `${this.definition.name} has no running worker`,
      );
    }
    return live;
  }

  #assertIdle(what: string): void {
    const snapshot = this.#snapshot();
    if (!snapshot.matches('managed')) {
      throw new GuvError('GUV_PROCESS_NOT_RUNNING', `${this.definition.name} is not running`);
    }
    if (!snapshot.matches(IDLE)) {
      throw new GuvError(
        'GUV_BUSY',
        `cannot ${what} ${this.definition.name} while it is ${this.state()}`,
      );
    }
  }

  #onWorkerMessage(workerId: string, message: ChildMessage): void {
    if (message.type === 'listening') this.#actor.send({ type: 'WORKER.LISTENING', workerId });
    if (message.type === 'config:request') {
      const worker = this.workerInfo(workerId);
      if (worker) {
        this.#deps.publish({
          type: 'worker:config:request',
          args: [this.info(), worker, message.key],
        });
      }
    }
    this.#deps.onWorkerMessage(this, workerId, message);
  }
}

import type { ChildMessage } from '../actors/child/wrapper-events.js';
import type { ProcessDefinition } from '../supervision/process-definition.js';
import { settle } from '../supervision/settle.js';
import type { LiveTarget, RunUnit, Supervised, TriggerState } from '../supervision/supervised.js';
import { GuvError } from '../errors.js';
import type { TrackEntry } from '../inspect/registry.js';
import { clusterInfo } from '../machines/cluster/worker-records.js';
import type { RetiredWorker } from '../machines/cluster/cluster-types.js';
import type { HistoryEntry } from '../machines/history.js';
import {
  crashesAtStart,
  DEFAULT_START_WATCH,
  type StartVerdict,
} from '../machines/start-verdict.js';
import { workerInfo } from '../machines/worker/info.js';
import type { ClusterInfo, SerializedError, WorkerInfo } from '../types/info.js';
import { type ClusterActor, type ClusterChartDeps, startClusterChart } from './cluster-chart.js';
import {
  assertIdle,
  type ClusterSnapshot,
  chartState,
  reloadOutcome,
  resizeOutcome,
  startOutcome,
  stopOutcome,
  type WorkerState,
  workerContext,
  workerHistoryOf,
  workerStates,
} from './cluster-view.js';
import type { ChildFacts } from '../keeper/protocol.js';
import {
  adoptedWorkers,
  isWorkerOf,
  type KeptClusterMeta,
  keptClusterMeta,
  lostWorkers,
} from './kept-cluster.js';
import { ManagerLink } from './manager-link.js';
import { WorkerReplies } from './worker-replies.js';
import { workerTargets } from './worker-targets.js';
import { nextChange, trackLastError } from '../supervision/watch-start.js';

/** The newest error any serving worker's chart holds (a crash at start), or null. */
function slotError(snapshot: ClusterSnapshot): SerializedError | null {
  for (const slot of snapshot.context.slots) {
    const error = workerContext(snapshot, slot.id)?.lastError;
    if (error) return error;
  }
  return null;
}

export type { WorkerState } from './cluster-view.js';

export interface ClusterSupervisorDeps extends ClusterChartDeps {
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
  /**
   * Under the keeper: what to keep with the manager for the next daemon (restart counters),
   * told whenever it changes.
   */
  noteKept?(cluster: ClusterSupervisor, meta: KeptClusterMeta): void;
}

/**
 * The daemon's side of one cluster, behind the Supervised contract: its chart (which owns the
 * manager's whole life, restarts included, and spawns the worker charts) bound to the real
 * manager process and workers, plus the user's intent and the requests to workers' wrappers.
 * Requests go to the chart as events and are answered from its snapshots (settle).
 */
export class ClusterSupervisor implements Supervised {
  readonly kind = 'cluster' as const;
  definition: ProcessDefinition;
  desired: 'running' | 'stopped' = 'stopped';

  readonly #deps: ClusterSupervisorDeps;
  readonly #link = new ManagerLink();
  readonly #replies: WorkerReplies;
  readonly #actor: ClusterActor;
  #startVerdict: StartVerdict | null = null;

  constructor(definition: ProcessDefinition, deps: ClusterSupervisorDeps) {
    this.definition = definition;
    this.#deps = deps;
    this.#replies = new WorkerReplies(this.#link, definition.name);
    this.#actor = startClusterChart(definition, deps, {
      link: this.#link,
      replies: this.#replies,
      onManagerOutput: (stream, chunk) => deps.onManagerOutput(this, stream, chunk),
      onManagerLog: (level, message) => deps.onManagerLog?.(this, level, message),
      onWorkerOutput: (workerId, stream, data) => deps.onWorkerOutput(this, workerId, stream, data),
      onWorkerMessage: (workerId, message) => this.#onWorkerMessage(workerId, message),
    });
    const { noteKept } = deps;
    if (noteKept) {
      let last = '';
      this.#actor.subscribe(({ context }) => {
        if (context.pid === null) return;
        const meta = keptClusterMeta(context);
        const text = JSON.stringify(meta);
        if (text === last) return;
        last = text;
        noteKept(this, meta);
      });
    }
  }

  /**
   * Rebuilds the chart around the manager (and the workers) the keeper kept while no daemon
   * ran: `guv why` says "re-adopted after daemon restart". A slot whose worker died meanwhile
   * restarts it as after a crash ("after it died while no daemon ran").
   */
  adopt({
    pid,
    startedAt,
    restarts,
    kept,
  }: {
    pid: number;
    startedAt: number;
    restarts: number;
    kept?: ChildFacts;
  }): void {
    this.desired = 'running';
    const instances = this.definition.instances ?? 1;
    const workers = kept ? adoptedWorkers(kept, isWorkerOf(pid), instances) : [];
    const lost = kept ? lostWorkers(kept, workers, instances) : [];
    this.#actor.send({ type: 'ADOPT', pid, startedAt, restarts, workers, lost, by: 'daemon' });
    this.#deps.onChange();
  }

  get id(): string {
    return this.definition.id;
  }

  /** Its chart for the visualiser; workers are tracked as its children as they come and go. */
  get chart(): TrackEntry {
    return {
      id: this.id,
      kind: 'cluster',
      name: this.definition.name,
      chart: 'cluster',
      actor: this.#actor,
      children: { kind: 'worker', chart: 'worker' },
    };
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

  triggerState(): TriggerState {
    const { cronNextAt, watching } = this.#snapshot().context;
    return { cronNextAt, watching };
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

  /** `guv list`'s cluster fields: the chart's state and every worker. */
  listing(): { state: string; workers: WorkerState[] } {
    return { state: this.state(), workers: this.workers() };
  }

  /** Each worker runs the cluster's code: metrics and exceptions are kept per worker. */
  units(): RunUnit[] {
    const script = this.definition.spec.script;
    return this.workers().map((worker) => ({
      id: worker.id,
      info: { ...worker, script },
      worker: worker.index,
    }));
  }

  /** A cluster's answers carry its workers, not the manager's exit. */
  lastRunExit(): undefined {
    return undefined;
  }

  retiredWorkers(): RetiredWorker[] {
    return this.#snapshot().context.retired;
  }

  /** The history of the serving worker of slot `index` (`guv why <p> --worker <index>`). */
  workerHistory(index: number): { id: string; history: HistoryEntry[] } {
    return workerHistoryOf(this.#snapshot(), index);
  }

  /** The cluster chart's own history (manager up, online, reloading…), in `guv why`'s shape. */
  history(): HistoryEntry[] {
    return this.#snapshot().context.history as unknown as HistoryEntry[];
  }

  updateEnv(env: Record<string, string>): void {
    const spec = { ...this.definition.spec, env };
    this.definition = { ...this.definition, spec };
    this.#actor.send({ type: 'SPEC.UPDATED', spec });
    this.#deps.onChange();
  }

  startVerdict(): StartVerdict | null {
    return this.#startVerdict;
  }

  async start(by: string, timeoutMs: number): Promise<ClusterInfo> {
    this.desired = 'running';
    this.#deps.onChange();
    const since = this.#deps.clock.now();
    const errors = trackLastError(this.#actor, (snapshot) =>
      slotError(snapshot as ClusterSnapshot),
    );
    try {
      this.#actor.send({ type: 'START', by });
      await this.#settle(startOutcome, 'start', timeoutMs);
      this.#startVerdict = await this.#judgeStart(since, () => errors.last());
    } finally {
      errors.stop();
    }
    return this.info();
  }

  /**
   * A cluster's start verdict: online (every worker listening, or up `upMs`) is running; a slot
   * whose worker crashed at start is watched as a single process's start is (start-verdict.ts),
   * the worst slot speaking for all.
   */
  async #judgeStart(since: number, lastError: () => SerializedError | null): Promise<StartVerdict> {
    const policy = DEFAULT_START_WATCH;
    const now = () => this.#deps.clock.now();
    const deadline = now() + policy.maxWaitMs;
    for (;;) {
      const snapshot = this.#snapshot();
      const { context } = snapshot;
      const crashes = Math.max(
        0,
        ...context.slots.map((slot) => {
          const chart = workerContext(snapshot, slot.id);
          return chart ? crashesAtStart(chart.history.filter((e) => e.time >= since)) : 0;
        }),
      );
      const error = lastError() ?? context.lastError;
      let wakeAt = deadline;
      if (chartState(snapshot) === 'online') {
        // A worker's listen goes through its manager, so a port taken shows a moment after the
        // worker was ready: online counts once every worker listens, or stayed up `upMs`.
        const since = context.history.findLast((entry) => entry.to === 'online')?.time ?? now();
        const listening = context.slots.every((slot) => slot.listening);
        if (listening || now() - since >= policy.upMs || now() >= deadline)
          return { outcome: 'running', crashes };
        wakeAt = Math.min(deadline, since + policy.upMs);
      }
      if (
        ['aborted', 'failed', 'stopped'].includes(context.status) ||
        context.slots.some((slot) => slot.status === 'aborted' || slot.status === 'failed')
      ) {
        return { outcome: 'failed', crashes, error };
      }
      if (crashes >= policy.crashes || now() >= deadline) {
        return { outcome: 'crashing', crashes, error };
      }
      await nextChange(this.#actor, Math.max(1, wakeAt - now()));
    }
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
    assertIdle(this.#snapshot(), 'reload');
    this.#startVerdict = null;
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
    if (running) assertIdle(this.#snapshot(), 'resize');
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

  /** One target per running worker (never their manager), by slot. */
  liveTargets(): LiveTarget[] {
    const running = this.#snapshot().matches('managed');
    const targets = running
      ? workerTargets(this.definition.name, this.workers(), this.#link, this.#replies)
      : [];
    if (targets.length === 0) {
      throw new GuvError(
        'GUV_PROCESS_NOT_RUNNING',
        `${this.definition.name} has no running worker`,
      );
    }
    return targets;
  }

  /** Stops for good: the chart is dropped. */
  dispose(): void {
    this.#actor.stop();
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

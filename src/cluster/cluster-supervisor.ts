import { type Actor, createActor, type InspectionEvent } from 'xstate';
import type { ChildMessage } from '../actors/child/wrapper-events.js';
import type { BusEvent } from '../bus/events.js';
import { chartTimers } from '../daemon/chart-timers.js';
import type { ProcessDefinition } from '../daemon/process-definition.js';
import { settle } from '../daemon/settle.js';
import type { LiveTarget, RunUnit, Supervised } from '../daemon/supervised.js';
import type { TrackEntry } from '../inspect/registry.js';
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
import { workerTargets } from './worker-targets.js';

export type { WorkerState } from './cluster-view.js';

type ClusterLogic = ReturnType<typeof provideCluster>;

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
}

/** Cluster states in which the cluster takes RESIZE and RELOAD. */
const IDLE = { managed: { active: { operation: 'idle' } } } as const;

/**
 * The daemon's side of one cluster: its chart (which owns the manager's whole life, restarts
 * included, and spawns the worker charts) bound to the real manager process and workers, plus
 * the user's intent and the requests to workers' wrappers. Requests go to the chart as events
 * and are answered from its snapshots.
 */
export class ClusterSupervisor implements Supervised {
  readonly kind = 'cluster' as const;
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
    this.#actor = this.#createActor();
    this.#watch();
    this.#actor.start();
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

  #createActor(): Actor<ClusterLogic> {
    const { definition } = this;
    const deps = this.#deps;
    return createActor(this.#logic(), {
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
  }

  /** What is persisted changes with the chart's status; a chart that throws is a bug, reported. */
  #watch(): void {
    let lastStatus: string | null = null;
    this.#actor.subscribe({
      next: ({ context }) => {
        if (context.status === lastStatus) return;
        lastStatus = context.status;
        this.#deps.onChange();
      },
      error: (error) => this.#deps.onChartError(this.definition, error),
    });
  }

  /** The cluster chart with its real actors: one manager process and its workers. */
  #logic(): ClusterLogic {
    const deps = this.#deps;
    return provideCluster({
      manager: createManagerLogic({
        ...deps.manager,
        link: this.#link,
        onOutput: (stream, chunk) => deps.onManagerOutput(this, stream, chunk),
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

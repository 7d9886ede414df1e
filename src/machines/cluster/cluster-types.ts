import type { ProcessStatus, SerializedError } from '../../types/info.js';
import type { ChartHistoryEntry } from '../daemon/chart-history.js';
import type { HistoryEntry } from '../history.js';
import type { ProcessSpec, WatcherEvent } from '../process/child-protocol.js';
import type { SupervisionTriggers } from '../process/triggers.js';
import type { ChartClock, SupervisionTimeouts } from '../process/supervision-context.js';
import type { WorkerStatusEvent } from '../process/supervision-events.js';
import type { FailureState, RestartPolicyOptions } from '../restart-policy.js';

export interface ClusterInput {
  id: string;
  name: string;
  /** What every worker runs. */
  spec: ProcessSpec;
  /** Target worker count, ≥ 1. */
  instances: number;
  clock: ChartClock;
  /** Restart policy of each worker, and of the manager itself. */
  policy?: Partial<RestartPolicyOptions>;
  timeouts?: Partial<SupervisionTimeouts>;
  /** A reload waits for each new worker's WORKER.LISTENING as well as for it to be running. */
  reloadWaitsForListening?: boolean;
  /** How long a reload waits for one new worker; 60 s unless told. */
  reloadTimeoutMs?: number;
  /** How long a new manager may take to say it is ready; 30 s unless told. */
  managerReadyTimeoutMs?: number;
  historyLimit?: number;
  /** Restarts of the manager counted before this chart began (ClusterInfo.restarts). */
  restarts?: number;
  /** Watch and cron reload the cluster; the memory limit replaces one worker. */
  triggers?: SupervisionTriggers;
}

/** What the cluster knows of one of its worker actors, from its WORKER.STATUS reports. */
export interface WorkerRecord {
  /** Actor id and WorkerInfo.id: `<clusterId>.<index>`, plus `.<n>` when that id is still in use. */
  id: string;
  index: number;
  status: ProcessStatus;
  pid: number | null;
  restarts: number;
  /** The current process of this worker accepted a connection (node:cluster 'listening'). */
  listening: boolean;
  /** Its chart actor crashed (a bug, never a process failure): nothing left to talk to. */
  broken: boolean;
}

export type ClusterState =
  | 'uninitialised'
  | 'starting'
  | 'ready'
  | 'online'
  | 'reloading'
  /** Recorded when a reload ends (the health states go on): `guv why` shows how it ended. */
  | 'reloaded'
  | 'reload-failed'
  | 'stopping'
  | 'stopped'
  /** The manager died (or could not start); `restarting`, `aborted` or `failed` follows. */
  | 'failed'
  | 'restarting'
  | 'aborted';

/**
 * What follows once a dead manager's workers are all reported gone: the restart policy's
 * decision (or `stop`, when a STOP came meanwhile).
 */
export type ManagerVerdict =
  | { action: 'restart'; delayMs: number }
  | { action: 'abort'; error: SerializedError }
  | { action: 'fail' }
  | { action: 'stop' };

export interface ClusterContext {
  id: string;
  name: string;
  spec: ProcessSpec;
  instances: number;
  clock: ChartClock;
  policy: Partial<RestartPolicyOptions> | undefined;
  timeouts: Partial<SupervisionTimeouts> | undefined;
  reloadWaitsForListening: boolean;
  reloadTimeoutMs: number;
  managerReadyTimeoutMs: number;
  historyLimit: number | undefined;
  /** The manager's restart policy: the workers' policy, resolved. */
  restartPolicy: RestartPolicyOptions;
  /** Failures of the manager the policy remembers. */
  failure: FailureState;
  /** When the current run of the manager was asked to start; the policy measures stability from it. */
  runStartedAt: number | null;
  /** Set when the manager died; read once its workers are gone. */
  verdict: ManagerVerdict | null;
  /** Times the manager was restarted (ClusterInfo.restarts). */
  restarts: number;
  /** Once any worker listened, a reload waits for each new worker to listen too. */
  serves: boolean;
  /** How the last reload ended; null while one runs or before the first. */
  lastReload: 'reloaded' | 'reload-failed' | null;
  /** The manager process (ClusterInfo.pid, .status, .startedAt). */
  pid: number | null;
  status: ProcessStatus;
  startedAt: number | null;
  /** The serving worker of each slot; `slots[i].index === i`. */
  slots: WorkerRecord[];
  /** The new worker a reload is waiting for, not serving yet. */
  incoming: WorkerRecord | null;
  /** Workers told to STOP (resize, reload, stop), dropped once stopped. */
  retiring: WorkerRecord[];
  /** Slot indexes a reload has still to replace, in order. */
  reloadQueue: number[];
  /** Suffix for the next worker id that would clash with a live one. */
  serial: number;
  lastError: SerializedError | null;
  /** Workers retired (reload, resize, stop), newest last, with how each ended (`guv why`). */
  retired: RetiredWorker[];
  state: ClusterState;
  history: ChartHistoryEntry<ClusterState>[];
  triggers: SupervisionTriggers;
  /** When the cron reload fires next (while the cluster runs), or null. */
  cronNextAt: number | null;
  /** True while the cluster's file watcher is in place. */
  watching: boolean;
  changedPath: string | null;
  /** Why the reload under way was started by guv itself (watch, cron, a worker's memory), for `guv why`. */
  reloadReason: { by: string; restart: string } | null;
  /** From an ADOPT until the next run: the manager actor attaches to `pid` instead of spawning. */
  adopting: boolean;
  /** Kept workers the next `spawnMissingWorkers` rebuilds charts around (then forgotten). */
  adoptedWorkers: AdoptedWorker[];
  /** Slots whose worker died while no daemon ran: restarted as after a crash (then forgotten). */
  lostWorkers: LostWorker[];
}

/** A worker the cluster retired: its last transitions, how it ended included. */
export interface RetiredWorker {
  id: string;
  index: number;
  history: HistoryEntry[];
}

/** Sent by the `manager` actor (or whoever runs the manager process). */
export type ManagerEvent =
  | { type: 'MANAGER.READY'; pid: number }
  | { type: 'MANAGER.FAILED'; error: SerializedError };

/** A worker the keeper kept running while no daemon ran: its chart is rebuilt around it. */
export interface AdoptedWorker {
  workerId: string;
  index: number;
  pid: number;
  /** Epoch ms its process was forked (or first known). */
  startedAt: number;
  restarts: number;
}

/**
 * A slot whose worker, as the last daemon noted it, died while no daemon ran: its chart is
 * rebuilt from that exit, so the restart policy counts it as a crash of the slot.
 */
export interface LostWorker {
  workerId: string;
  index: number;
  /** The restarts the last daemon noted of it: its next run is one more. */
  restarts: number;
  /** How it ended, as the keeper heard it; both null when not known. */
  code: number | null;
  signal: string | null;
  /** Epoch ms it was forked, when known. */
  startedAt: number | null;
}

/** What the outside world sends a cluster chart. */
export type ClusterCommand =
  | { type: 'START'; by?: string }
  /**
   * The keeper kept this cluster's manager (and `workers`) running across a daemon restart:
   * the chart goes straight to `managed.active` around them. A `lost` slot's worker chart
   * starts from that worker's exit (restart policy, backoff); any other slot without a worker
   * gets a new one.
   */
  | {
      type: 'ADOPT';
      pid: number;
      startedAt: number;
      restarts: number;
      workers: AdoptedWorker[];
      lost?: LostWorker[];
      by?: string;
    }
  | { type: 'RESIZE'; instances: number }
  | { type: 'RELOAD' }
  /**
   * From a worker chart: its process is over the memory limit; the cluster replaces it with a
   * new worker before retiring it (a one-slot rolling reload), so the slot never goes dark.
   */
  | { type: 'WORKER.REPLACE'; workerId: string; index: number; reason: string }
  | { type: 'STOP' }
  /** What workers (and the manager) run from their next start on: a new environment. */
  | { type: 'SPEC.UPDATED'; spec: ProcessSpec }
  /** A worker's current process is listening (node:cluster's 'listening'). */
  | { type: 'WORKER.LISTENING'; workerId: string };

/** XState's report that a child actor (a worker chart, or the manager) threw. */
export type ChildActorError = { type: `xstate.error.actor.${string}`; error: unknown };

export type ClusterEvent =
  | ManagerEvent
  | ClusterCommand
  | WorkerStatusEvent
  | ChildActorError
  | WatcherEvent
  | { type: 'WATCH.SETTLED' }
  | { type: 'CRON.DUE' };

/** Input of the `manager` actor: start the manager process for this cluster. */
export interface ManagerInput {
  id: string;
  name: string;
  spec: ProcessSpec;
  instances: number;
  /** Set when the chart adopted a manager the keeper runs: attach to it, spawn nothing. */
  adoptPid?: number;
}

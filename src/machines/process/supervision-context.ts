import type { ClusterInfo, ProcessStatus, SerializedError } from '../../types/info.js';
import type { HistoryEntry } from '../history.js';
import {
  type FailureState,
  NO_FAILURES,
  type RestartPolicyOptions,
  formatDuration,
  resolveRestartPolicy,
} from '../restart-policy.js';
import type { ProcessSpec } from './child-protocol.js';
import { NO_TRIGGERS, type SupervisionTriggers } from './triggers.js';

/** Where a chart reads the time: XState's `SimulatedClock` in tests, `{ now: Date.now }` in the daemon. */
export interface ChartClock {
  now(): number;
}

export interface SupervisionTimeouts {
  /** From START until the child says ready; running out is a failure. */
  startMs: number;
  /** From the graceful stop signal until SIGKILL. */
  killMs: number;
  /** No heartbeat for this long while running ⇒ unresponsive; 0 disables. */
  heartbeatMs: number;
  /** The graceful stop signal. */
  killSignal: NodeJS.Signals;
  /**
   * With app readiness (`--wait-ready`): from the module loaded until the app is treated as
   * ready anyway, with a warning (pm2's listen_timeout). 0 disables (the start timeout rules).
   */
  listenMs: number;
}

export const DEFAULT_TIMEOUTS: Readonly<SupervisionTimeouts> = Object.freeze({
  startMs: 30_000,
  killMs: 5_000,
  heartbeatMs: 0,
  killSignal: 'SIGTERM',
  listenMs: 3_000,
});

/** The warning of a run treated as ready at the listen timeout. */
export function listenTimeoutWarning(timeouts: SupervisionTimeouts): string {
  return `it did not say ready (process.send('ready')) within ${formatDuration(timeouts.listenMs)} of loading: treated as ready, as pm2 does`;
}

/** Fields both the process and the worker input carry. */
export interface SupervisionInputBase {
  id: string;
  spec: ProcessSpec;
  policy?: Partial<RestartPolicyOptions>;
  timeouts?: Partial<SupervisionTimeouts>;
  /** Watch, memory limit, cron restart; none by default. */
  triggers?: SupervisionTriggers;
  clock: ChartClock;
}

/** The worker-only part of the context: its slot and the cluster it belongs to. */
export interface WorkerSlot {
  index: number;
  cluster: ClusterInfo;
}

export interface SupervisionContext {
  id: string;
  name: string;
  spec: ProcessSpec;
  policy: RestartPolicyOptions;
  timeouts: SupervisionTimeouts;
  clock: ChartClock;
  /** Always the name of the current leaf state. */
  status: ProcessStatus;
  pid: number | null;
  /** When the current child was forked (ProcessInfo.startedAt). */
  startedAt: number | null;
  /** When the current run was asked to start; the restart policy measures stability from it. */
  runStartedAt: number | null;
  restarts: number;
  /** True from a restart decision until the child is ready again (then `:restarted` is published). */
  isRestart: boolean;
  /** Set by RESTART while stopping: the exit leads to a new start. */
  restartRequested: boolean;
  /** True from an ADOPT until the next run: the child actor attaches to `pid` instead of spawning. */
  adopting: boolean;
  /** Who asked for the current START / STOP / RESTART. */
  requestedBy: string | null;
  failure: FailureState;
  nextDelayMs: number;
  /** The error of the current run (startup exception, fatality, timeout), or of the last failure. */
  lastError: SerializedError | null;
  history: HistoryEntry[];
  worker: WorkerSlot | null;
  triggers: SupervisionTriggers;
  /** When the cron restart fires next (while alive), or null. */
  cronNextAt: number | null;
  /** True while the watcher of this run is in place. */
  watching: boolean;
  /** The latest change the watcher reported, until the restart it causes. */
  changedPath: string | null;
  /** Why the current stop is a restart the policy does not count (memory, watch, cron), for `guv why`. */
  restartReason: string | null;
}

export function createSupervisionContext(
  input: SupervisionInputBase,
  name: string,
  worker: WorkerSlot | null,
): SupervisionContext {
  return {
    id: input.id,
    name,
    spec: input.spec,
    policy: resolveRestartPolicy(input.policy),
    timeouts: resolveTimeouts(input.timeouts),
    clock: input.clock,
    status: 'uninitialised',
    pid: null,
    startedAt: null,
    runStartedAt: null,
    restarts: 0,
    isRestart: false,
    restartRequested: false,
    adopting: false,
    requestedBy: null,
    failure: NO_FAILURES,
    nextDelayMs: 0,
    lastError: null,
    history: [],
    worker,
    triggers: input.triggers ?? NO_TRIGGERS,
    cronNextAt: null,
    watching: false,
    changedPath: null,
    restartReason: null,
  };
}

export function resolveTimeouts(partial: Partial<SupervisionTimeouts> = {}): SupervisionTimeouts {
  const timeouts = { ...DEFAULT_TIMEOUTS };
  for (const key of ['startMs', 'killMs', 'heartbeatMs', 'listenMs'] as const) {
    const value = partial[key];
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value < 0) {
      throw new TypeError(`timeout ${key} must be a number ≥ 0, received ${String(value)}`);
    }
    timeouts[key] = value;
  }
  if (partial.killSignal !== undefined) timeouts.killSignal = partial.killSignal;
  return timeouts;
}

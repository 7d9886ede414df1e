import type { ClusterInfo, ProcessStatus } from '../../types/info.js';
import type { HistoryEntry } from '../history.js';
import type { ChildEvent, ProcessSpec, WatcherEvent } from './child-protocol.js';

/** What the outside world sends a process or worker chart; `by` says who asked (`cli`, `api`…). */
export type SupervisionCommand =
  | { type: 'START'; by?: string }
  | { type: 'STOP'; by?: string }
  /** Stop, then start again at once; from a running state (or a start from a resting one). */
  | { type: 'RESTART'; by?: string }
  /** Workers only: the cluster's info changed (status, instances); later events carry it. */
  | { type: 'CLUSTER.UPDATED'; clusterInfo: ClusterInfo }
  /** What to run from the next run on (a new environment); the current run is left alone. */
  | { type: 'SPEC.UPDATED'; spec: ProcessSpec }
  /**
   * A child the keeper kept running while the daemon was away (src/keeper): the chart is built
   * straight into `running` around it, its pid and counters carried over.
   */
  | { type: 'ADOPT'; pid: number; startedAt: number; restarts: number; by?: string }
  /**
   * A child the keeper ran exited while no daemon ran: the chart starts from that exit as if it
   * had seen it (the restart policy counts it, the next run is restart `restarts + 1`). `code`
   * and `signal` both null: how it ended is not known (counted as a failure).
   */
  | {
      type: 'ADOPT.EXITED';
      restarts: number;
      code: number | null;
      signal: string | null;
      /** Epoch ms its run began, when known. */
      startedAt: number | null;
      by?: string;
    };

/**
 * Raised by the chart itself: a heartbeat is overdue; the file changes have settled (the watch
 * debounce); the cron time may have come (checked against the clock: long waits come in steps).
 */
export type ChartTimerEvent =
  | { type: 'HEARTBEAT.MISSED' }
  | { type: 'WATCH.SETTLED' }
  | { type: 'CRON.DUE' };

export type HeartbeatMissed = Extract<ChartTimerEvent, { type: 'HEARTBEAT.MISSED' }>;

export type SupervisionEvent = SupervisionCommand | ChildEvent | WatcherEvent | ChartTimerEvent;

/** Sent by a worker chart to its parent (the cluster chart) whenever its status changes. */
export interface WorkerStatusEvent {
  type: 'WORKER.STATUS';
  workerId: string;
  index: number;
  status: ProcessStatus;
  pid: number | null;
  restarts: number;
  /** With `stopped` only: its last transitions, kept by the cluster once the worker is retired. */
  history?: HistoryEntry[];
}

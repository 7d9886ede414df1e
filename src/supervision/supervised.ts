import type { ChildFacts } from '../keeper/protocol.js';
import type { WorkerState } from '../cluster/cluster-view.js';
import type { TrackEntry } from '../inspect/registry.js';
import type { RetiredWorker } from '../machines/cluster/cluster-types.js';
import type { HistoryEntry } from '../machines/history.js';
import type { StartVerdict } from '../machines/start-verdict.js';
import type { ClusterInfo, ProcessInfo, SerializedError, WorkerInfo } from '../types/info.js';
import type { ProcessDefinition } from './process-definition.js';

/**
 * One running child a live command (send, signal, write, gc, heapdump) reaches: a single
 * process's own child, or one worker of a cluster.
 */
export interface LiveTarget {
  /** The worker's slot; null for a single process. */
  readonly worker: number | null;
  readonly pid: number;
  /** Emits `event` in the child; resolves with whether it had listeners. */
  send(event: string, args: unknown[]): Promise<boolean>;
  /** False when the child is gone. */
  signal(signal: NodeJS.Signals): boolean;
  /** False when the child takes no input; throws GUV_NOT_SUPPORTED when it never can. */
  write(data: string): boolean;
  gc(): Promise<void>;
  /** Writes a heap snapshot to `path`; resolves with the path written. */
  heapdump(path: string): Promise<string>;
}

/** One thing that runs the app's code, for metrics and exceptions: a process, or a worker. */
export interface RunUnit {
  id: string;
  info: ProcessInfo;
  /** The worker's slot; null for a single process. */
  worker: number | null;
}

/** How a run ended, in a start/stop/restart answer. */
export interface RunExit {
  code: number | null;
  signal: string | null;
}

/**
 * Anything the process table supervises (a single process, a cluster; later a remote one):
 * its chart, what the user asked for, and every request the daemon's methods make of it.
 * Callers never ask which kind it is: a request that makes no sense for one kind is answered
 * by that kind with a GuvError naming why (`GUV_NOT_A_CLUSTER`).
 */
/** What `guv info` shows of a process's restart triggers. */
export interface TriggerState {
  cronNextAt: number | null;
  watching: boolean;
}

export interface Supervised {
  /** On the wire only (`guv list` shows it); the daemon never branches on it. */
  readonly kind: 'process' | 'cluster';
  readonly definition: ProcessDefinition;
  /** What the user last asked for; persisted so a new daemon brings back what should run. */
  desired: 'running' | 'stopped';
  /** The child's pid, or the cluster manager's; null when not running. */
  readonly pid: number | null;
  /** Its chart, for the visualiser (a cluster's workers are tracked as its children). */
  readonly chart: TrackEntry;

  info(): ProcessInfo | ClusterInfo;
  /** Its chart's history (`guv why`). */
  history(): HistoryEntry[];
  /** Workers a cluster retired, newest last, with their last transitions; none for a process. */
  retiredWorkers(): RetiredWorker[];
  /** The history of worker slot `index`; a process throws GUV_NOT_A_CLUSTER. */
  workerHistory(index: number): { id: string; history: HistoryEntry[] };
  lastError(): SerializedError | null;
  /** The next cron restart and whether the watcher is in place (`guv info`). */
  triggerState(): TriggerState;
  /** How its last run ended, for answers; undefined when its answers carry workers instead. */
  lastRunExit(): RunExit | null | undefined;
  /** Extra `guv list` fields: a cluster's chart state and workers; none for a process. */
  listing(): { state?: string; workers?: WorkerState[] };
  /** The live info of one of its workers, for their log events; null when none. */
  workerInfo(workerId: string): WorkerInfo | null;
  /** What runs its code now: the process itself, or each worker. */
  units(): RunUnit[];

  /** Runs with this environment from its next start on (pm2's --update-env); persisted. */
  updateEnv(env: Record<string, string>): void;
  /** The verdict of its latest start or restart (start-verdict.ts); null before the first. */
  startVerdict(): StartVerdict | null;

  /** Each resolves once the request's outcome is known (settle), or rejects with GUV_TIMEOUT. */
  start(by: string, timeoutMs: number): Promise<ProcessInfo | ClusterInfo>;
  stop(by: string, timeoutMs: number): Promise<ProcessInfo | ClusterInfo>;
  restart(by: string, timeoutMs: number): Promise<ProcessInfo | ClusterInfo>;
  /**
   * Rebuilds the chart in `running` around a child the keeper kept while no daemon ran (for a
   * cluster, its manager; `kept` are the keeper's facts of it, its workers among them).
   */
  adopt?(child: { pid: number; startedAt: number; restarts: number; kept?: ChildFacts }): void;
  /**
   * Builds the chart from a run of it the keeper saw end while no daemon ran: the restart policy
   * decides on that exit as if the chart had seen it (a single process; a cluster's lost
   * workers come with its `adopt`).
   */
  adoptExit?(exit: { restarts: number; code: number | null; signal: string | null }): void;
  /** A rolling reload; a single process is restarted (as pm2 does). */
  reload(timeoutMs: number): Promise<ProcessInfo | ClusterInfo>;
  /** Changes the worker count; a process throws GUV_NOT_A_CLUSTER. */
  resize(instances: number, timeoutMs: number): Promise<ProcessInfo | ClusterInfo>;

  /** One handle per running child; throws GUV_PROCESS_NOT_RUNNING when there is none. */
  liveTargets(): LiveTarget[];
  /** Stops its chart for good. */
  dispose(): void;
}

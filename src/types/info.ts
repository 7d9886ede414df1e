/** Statuses a supervised process (or cluster worker) can be in; guvnor's names, made explicit. */
export type ProcessStatus =
  | 'uninitialised'
  | 'starting'
  | 'forked'
  | 'started'
  | 'running'
  | 'restarting'
  | 'stopping'
  | 'stopped'
  | 'errored'
  | 'failed'
  | 'aborted'
  | 'paused'
  | 'unresponsive';

/** An error as it crosses the bus and the wire: plain data, never an Error instance. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
  /** `/srv/app/server.js:12`: the first frame of the app's own code, when the wrapper found one. */
  site?: string;
}

/** What every process event carries about its process. Plain JSON. */
export interface ProcessInfo {
  id: string;
  name: string;
  script: string;
  pid: number | null;
  status: ProcessStatus;
  restarts: number;
  /** Epoch ms when the current run was spawned, or null when not running. */
  startedAt: number | null;
}

/** A cluster manager is a process; `instances` is its target worker count. */
export interface ClusterInfo extends ProcessInfo {
  instances: number;
}

export interface WorkerInfo {
  /** Stable id of the worker slot, e.g. `<clusterId>.<index>`. */
  id: string;
  /** 0-based slot index; also `NODE_APP_INSTANCE` in the worker's environment. */
  index: number;
  /** The cluster's name and the slot index: `web#0`. */
  name: string;
  pid: number | null;
  status: ProcessStatus;
  restarts: number;
  startedAt: number | null;
}

export interface AppInfo {
  name: string;
  url: string;
  user: string | null;
  /** Checked-out branch or tag, null before the first checkout. */
  ref: string | null;
  commit: string | null;
  dir: string;
}

/** One log line as published on the bus: `log.date` is epoch ms. */
export interface LogRecord {
  date: number;
  message: string;
}

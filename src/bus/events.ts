import type {
  AppInfo,
  ClusterInfo,
  LogRecord,
  ProcessInfo,
  SerializedError,
  WorkerInfo,
} from '../types/info.js';

/** What survives a trip through JSON: the data of a `process:msg`. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

type C = ClusterInfo;
type W = WorkerInfo;
type P = ProcessInfo;
type E = SerializedError;

/**
 * Every event on the guv bus with its exact argument list. Names and argument orders are
 * guvnor's public API (see the seed page); entries marked "guv:" are additions for chart
 * transitions guvnor never named.
 */
export interface GuvEvents {
  'process:starting': [processInfo: P];
  'process:forked': [processInfo: P];
  'process:failed': [processInfo: P, error: E];
  'process:started': [processInfo: P];
  'process:errored': [processInfo: P, error: E];
  'process:ready': [processInfo: P];
  'process:stopping': [processInfo: P];
  'process:uncaughtexception': [processInfo: P, error: E];
  'process:fatality': [processInfo: P];
  'process:exit': [processInfo: P, error: E | null, code: number | null, signal: string | null];
  'process:restarted': [processInfo: P];
  'process:aborted': [processInfo: P, error: E];
  'process:config:request': [processInfo: P, key: string];
  /**
   * guv (pm2's launchBus): the app called `process.send({ type: 'process:msg', data })`; `data`
   * is what it sent, as JSON carries it, within `WRAPPER_LIMITS.appMessage`.
   */
  'process:msg': [processInfo: P, data: JsonValue];
  /** guv: waiting `delayMs` before the next start. */
  'process:restarting': [processInfo: P, delayMs: number];
  /** guv: stopped on request, or exited under a policy that does not restart it. */
  'process:stopped': [processInfo: P];
  /** guv: waiting for a debugger. */
  'process:paused': [processInfo: P];
  /** guv: missed its heartbeats. */
  'process:unresponsive': [processInfo: P];

  'cluster:starting': [clusterInfo: C];
  'cluster:ready': [clusterInfo: C];
  'cluster:failed': [clusterInfo: C, error: E];
  'cluster:online': [clusterInfo: C];
  /** guv: the cluster is being stopped / has stopped with all its workers. */
  'cluster:stopping': [clusterInfo: C];
  'cluster:stopped': [clusterInfo: C];
  /** guv: target worker count changed. */
  'cluster:resized': [clusterInfo: C, from: number, to: number];
  /** guv: rolling reload began / finished / gave up (old workers kept). */
  'cluster:reloading': [clusterInfo: C];
  'cluster:reloaded': [clusterInfo: C];
  'cluster:reload:failed': [clusterInfo: C, error: E];
  /** guv: the manager died; waiting `delayMs` before starting a new one (and new workers). */
  'cluster:restarting': [clusterInfo: C, delayMs: number];
  /**
   * guv: given up: the manager died more often than its restart policy allows, or every
   * worker slot aborted. Nothing runs until the cluster is started again.
   */
  'cluster:aborted': [clusterInfo: C, error: E];

  'worker:new': [clusterInfo: C, workerInfo: W];
  'worker:starting': [clusterInfo: C, workerInfo: W];
  'worker:forked': [clusterInfo: C, workerInfo: W];
  'worker:failed': [clusterInfo: C, workerInfo: W, error: E];
  'worker:started': [clusterInfo: C, workerInfo: W];
  'worker:errored': [clusterInfo: C, workerInfo: W, error: E];
  'worker:ready': [clusterInfo: C, workerInfo: W];
  'worker:stopping': [clusterInfo: C, workerInfo: W];
  'worker:uncaughtexception': [clusterInfo: C, workerInfo: W, error: E];
  'worker:fatality': [clusterInfo: C, workerInfo: W];
  'worker:exit': [clusterInfo: C, workerInfo: W, code: number | null, signal: string | null];
  'worker:restarted': [clusterInfo: C, workerInfo: W];
  'worker:aborted': [clusterInfo: C, workerInfo: W, error: E];
  /** guv: see the process: equivalents. */
  'worker:restarting': [clusterInfo: C, workerInfo: W, delayMs: number];
  'worker:stopped': [clusterInfo: C, workerInfo: W];
  'worker:paused': [clusterInfo: C, workerInfo: W];
  'worker:unresponsive': [clusterInfo: C, workerInfo: W];
  /** guv: `process:config:request` of a worker. */
  'worker:config:request': [clusterInfo: C, workerInfo: W, key: string];
  /** guv: `daemon:config:response` to a worker: the daemon answered its config request. */
  'worker:config:response': [clusterInfo: C, workerInfo: W, key: string, value: unknown];
  /** guv: `process:msg` of a worker. */
  'worker:msg': [clusterInfo: C, workerInfo: W, data: JsonValue];

  'daemon:fatality': [error: E];
  'daemon:exit': [];
  'daemon:dump': [];
  'daemon:restore': [];
  'daemon:config:response': [processInfo: P, key: string, value: unknown];

  'app:installed': [appInfo: AppInfo];
  'app:removed': [appInfo: AppInfo];
  'app:refs:updated': [appInfo: AppInfo, refs: string[]];
  'app:refs:switched': [appInfo: AppInfo, oldRef: string | null, newRef: string];
  /** guv: an install, ref switch or removal failed; nothing half-done is kept. */
  'app:failed': [appInfo: AppInfo, error: E];

  'process:log:info': [processInfo: P, log: LogRecord];
  'process:log:warn': [processInfo: P, log: LogRecord];
  'process:log:error': [processInfo: P, log: LogRecord];
  'process:log:debug': [processInfo: P, log: LogRecord];
  'cluster:log:info': [clusterInfo: C, log: LogRecord];
  'cluster:log:warn': [clusterInfo: C, log: LogRecord];
  'cluster:log:error': [clusterInfo: C, log: LogRecord];
  'cluster:log:debug': [clusterInfo: C, log: LogRecord];
  'worker:log:info': [clusterInfo: C, workerInfo: W, log: LogRecord];
  'worker:log:warn': [clusterInfo: C, workerInfo: W, log: LogRecord];
  'worker:log:error': [clusterInfo: C, workerInfo: W, log: LogRecord];
  'worker:log:debug': [clusterInfo: C, workerInfo: W, log: LogRecord];
  'daemon:log:info': [log: LogRecord];
  'daemon:log:warn': [log: LogRecord];
  'daemon:log:error': [log: LogRecord];
  'daemon:log:debug': [log: LogRecord];
}

export type GuvEventName = keyof GuvEvents;

/** One bus event as data: what charts hand to their `publish` action, and what crosses the wire. */
export type BusEvent<M = GuvEvents> = {
  [K in keyof M]: { type: K; args: M[K] };
}[keyof M];

import type { JsonValue } from '../../bus/events.js';
import type { SerializedError } from '../../types/info.js';

/**
 * The wire protocol between guv's supervisor (the child actor) and the preload wrapper that runs
 * inside every managed Node child. Messages travel over Node's IPC channel as Node "internal"
 * messages (`cmd` starting with `NODE_`, the convention node:cluster uses): they never reach the
 * app's `process.on('message')`, and listening for them does not keep the child alive.
 *
 * The preload (preload.cts) is CommonJS and imports nothing from this tree, so it keeps its own
 * copy of the constants below; test/actors/wrapper checks that both copies agree.
 */

/** Marks a message as guv's. */
export const WRAPPER_CMD = 'NODE_GUV';

/** Environment variables the spawner sets and the preload reads (then deletes, so grandchildren do not inherit them). */
export const WRAPPER_ENV = {
  /** Activates the wrapper; its value is the supervised process id. */
  id: 'GUV_CHILD_ID',
  /** '1' when the app signals readiness itself with `process.send('ready')`. */
  appReadiness: 'GUV_APP_READINESS',
  /** Heartbeat period in ms; '0' turns heartbeats off. */
  heartbeatMs: 'GUV_HEARTBEAT_MS',
  /** Ms to wait after SIGTERM before SIGKILLing the group when the supervisor went away. */
  orphanKillMs: 'GUV_ORPHAN_KILL_MS',
} as const;

/** The event the app emits on `process` to log through guv: `process.emit('guv:log', 'warn', 'disk low')`. */
export const APP_LOG_EVENT = 'guv:log';
/** The event the app emits to ask for configuration: `process.emit('guv:config', key, (err, value) => …)`. */
export const APP_CONFIG_EVENT = 'guv:config';
/** What the app sends to say it is ready when started with app-level readiness. */
export const APP_READY_MESSAGE = 'ready';
/**
 * The type of the message an app sends its supervisor with `process.send({ type, data })`
 * (pm2's launchBus convention); the wrapper passes `data` on as a `msg`, published as
 * `process:msg` / `worker:msg`.
 */
export const APP_MESSAGE_TYPE = 'process:msg';

export const DEFAULT_HEARTBEAT_MS = 5000;

/**
 * Sizes a child's messages may reach (in UTF-16 code units, as JavaScript counts them). Texts
 * over their cap are cut with a marker, never rejected; a key or an address over its cap makes
 * the message malformed. One IPC message over `ipcMessage` (bytes as read) means a hostile
 * child: the daemon stops reading it and kills it, so it never holds more than that.
 */
export const WRAPPER_LIMITS = {
  logMessage: 64 * 1024,
  errorMessage: 8 * 1024,
  errorStack: 32 * 1024,
  errorName: 256,
  errorCode: 256,
  /** The app's own file and line an error is blamed on. */
  errorSite: 1024,
  configKey: 256,
  address: 1024,
  /** The data of one `msg`, as JSON text: a larger one is dropped, never cut. */
  appMessage: 64 * 1024,
  ipcMessage: 1024 * 1024,
} as const;
export const DEFAULT_ORPHAN_KILL_MS = 5000;

export type WrapperLogLevel = 'debug' | 'info' | 'warn' | 'error';
export const WRAPPER_LOG_LEVELS: readonly WrapperLogLevel[] = ['debug', 'info', 'warn', 'error'];

export interface HeartbeatFigures {
  heapUsed: number;
  heapTotal: number;
  rss: number;
  /** Event-loop delay over the last period, in ms. */
  loopDelayP50: number;
  loopDelayP99: number;
  loopDelayMax: number;
  /** CPU time used during the last period, in microseconds. */
  cpuUser: number;
  cpuSystem: number;
  /** Length of the period the figures cover, in ms. */
  periodMs: number;
}

export type ServerKind = 'net' | 'tls' | 'http' | 'https';
export const SERVER_KINDS: readonly ServerKind[] = ['net', 'tls', 'http', 'https'];

/** Child → supervisor (without the `cmd` envelope). */
export type WrapperBody =
  | { type: 'started' }
  | { type: 'ready' }
  | { type: 'errored'; error: SerializedError }
  | { type: 'uncaught'; error: SerializedError; handled: boolean }
  | { type: 'log'; level: WrapperLogLevel; message: string }
  /** `port` is null for a unix socket, whose path is then in `address`. */
  | { type: 'listening'; kind: ServerKind; port: number | null; address: string }
  | ({ type: 'heartbeat' } & HeartbeatFigures)
  | { type: 'config:request'; requestId: number; key: string }
  /** The app's `process.send({ type: 'process:msg', data })`. */
  | { type: 'msg'; data: JsonValue }
  | { type: 'reply'; requestId: number; ok: true; result?: unknown }
  | { type: 'reply'; requestId: number; ok: false; error: SerializedError };
export type WrapperMessage = { cmd: typeof WRAPPER_CMD } & WrapperBody;

/** Supervisor → child (without the envelope). Requests carrying a `requestId` get a `reply` with the same id. */
export type SupervisorBody =
  | { type: 'send'; requestId: number; event: string; args: unknown[] }
  | { type: 'gc'; requestId: number }
  | { type: 'heapdump'; requestId: number; path: string }
  | { type: 'config:response'; requestId: number; value?: unknown; error?: SerializedError }
  /** Graceful stop: the app's SIGTERM listeners run if it has any, else guv closes its servers and exits. */
  | { type: 'shutdown'; timeoutMs: number };
export type SupervisorMessage = { cmd: typeof WRAPPER_CMD } & SupervisorBody;

export type WrapperMessageType = WrapperMessage['type'];
export type SupervisorMessageType = SupervisorMessage['type'];

/** Every type name, for the agreement test with the preload's own copy. */
export const WRAPPER_MESSAGE_TYPES: readonly WrapperMessageType[] = [
  'started',
  'ready',
  'errored',
  'uncaught',
  'log',
  'listening',
  'heartbeat',
  'config:request',
  'msg',
  'reply',
];
export const SUPERVISOR_MESSAGE_TYPES: readonly SupervisorMessageType[] = [
  'send',
  'gc',
  'heapdump',
  'config:response',
  'shutdown',
];

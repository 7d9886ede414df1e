import type { SerializedError } from '../types/info.js';
import {
  isLogLevel,
  type Parsed,
  parseSerializedError,
  parseWrapperMessage,
  truncateText,
} from '../actors/wrapper/parse-message.js';
import {
  type SupervisorBody,
  WRAPPER_LIMITS,
  type WrapperLogLevel,
  type WrapperMessage,
} from '../actors/wrapper/protocol.js';

/**
 * The IPC protocol between the daemon and a cluster manager process (manager.cts), a thin
 * `node:cluster` primary that forks workers when told and relays what they do. The daemon runs
 * the cluster and worker charts; the manager holds no state beyond its live workers.
 *
 * manager.cts is CommonJS and imports nothing from this tree, so it keeps its own copy of the
 * type lists below; test/cluster/protocol.test.ts checks that both copies agree.
 */

/** What every worker runs, sent once after the manager starts. */
export interface ManagerSetup {
  type: 'setup';
  /** The user's script, run as each worker's main module. */
  exec: string;
  args: string[];
  /** The user's node flags plus `--require <guv's preload>`. */
  execArgv: string[];
  /** A worker whose manager vanished has this long between SIGTERM and SIGKILL. */
  orphanKillMs: number;
}

/** Daemon → manager. */
export type ManagerCommand =
  | ManagerSetup
  /** Forks a worker; `env` is added to the manager's own environment (the spec's). */
  | { type: 'fork'; workerId: string; env: Record<string, string> }
  | { type: 'signal'; workerId: string; signal: NodeJS.Signals }
  /** Passed to the worker's preload wrapper as an internal `NODE_GUV` message. */
  | { type: 'wrapper'; workerId: string; body: SupervisorBody };

/** Manager → daemon. */
export type ManagerMessage =
  /** Set up: the manager forks workers from now on. */
  | { type: 'ready'; pid: number }
  | { type: 'forked'; workerId: string; pid: number }
  /** The worker could not be created. */
  | { type: 'fork-failed'; workerId: string; error: SerializedError }
  /** A message from the worker's preload wrapper, as the wrapper sent it. */
  | { type: 'wrapper'; workerId: string; message: WrapperMessage }
  /** A chunk of the worker's stdout or stderr, decoded as UTF-8 on character boundaries. */
  | { type: 'output'; workerId: string; stream: 'stdout' | 'stderr'; data: string }
  | { type: 'exit'; workerId: string; code: number | null; signal: string | null }
  /** A line of the manager's own (cluster:log:<level>): a worker it forked, a message it dropped. */
  | { type: 'log'; level: WrapperLogLevel; message: string };

export type ManagerCommandType = ManagerCommand['type'];
export type ManagerMessageType = ManagerMessage['type'];

export const MANAGER_COMMAND_TYPES: readonly ManagerCommandType[] = [
  'setup',
  'fork',
  'signal',
  'wrapper',
];
export const MANAGER_MESSAGE_TYPES: readonly ManagerMessageType[] = [
  'ready',
  'forked',
  'fork-failed',
  'wrapper',
  'output',
  'exit',
  'log',
];

/** Environment variables every worker gets: its slot index (pm2's and guvnor's name, and guv's). */
export const WORKER_INDEX_ENV = ['NODE_APP_INSTANCE', 'GUV_WORKER_INDEX'] as const;

/**
 * Sizes of a manager's messages. A manager relays its workers' wrapper messages (each within
 * {@link WRAPPER_LIMITS}.ipcMessage, which manager.cts enforces) and output chunks (one pipe
 * read, 64 KiB, at most six times longer once JSON-escaped), so one IPC message over
 * `ipcMessage` bytes means a hostile manager.
 */
export const MANAGER_LIMITS = {
  workerId: 256,
  signal: 32,
  output: 256 * 1024,
  ipcMessage: 2 * WRAPPER_LIMITS.ipcMessage,
} as const;

/**
 * Checks what a cluster's manager sent against the protocol, the relayed wrapper message with
 * {@link parseWrapperMessage}: the manager runs as the app's user, so it is no more trusted
 * than the app. Returns a fresh object holding only the protocol's fields.
 *
 * @example
 * const parsed = parseManagerMessage(raw);
 * if (parsed.ok) link.dispatch(parsed.message);
 */
export function parseManagerMessage(raw: unknown): Parsed<ManagerMessage> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return fail('not a manager message');
  const message = raw as Record<string, unknown>;
  if (message.type === 'ready') {
    return isPid(message.pid) ? ok({ type: 'ready', pid: message.pid }) : fail('ready: bad pid');
  }
  if (message.type === 'log') {
    if (!isLogLevel(message.level)) return fail('log: level is not debug, info, warn or error');
    if (typeof message.message !== 'string') return fail('log: message is not a string');
    const text = truncateText(message.message, WRAPPER_LIMITS.logMessage);
    return ok({ type: 'log', level: message.level, message: text });
  }
  if (!MANAGER_MESSAGE_TYPES.includes(message.type as ManagerMessageType))
    return fail('unknown message type');
  const workerId = message.workerId;
  if (typeof workerId !== 'string' || workerId.length > MANAGER_LIMITS.workerId)
    return fail(`${message.type}: bad workerId`);
  switch (message.type as Exclude<ManagerMessageType, 'ready' | 'log'>) {
    case 'forked':
      return isPid(message.pid)
        ? ok({ type: 'forked', workerId, pid: message.pid })
        : fail('forked: bad pid');
    case 'fork-failed': {
      const error = parseSerializedError(message.error);
      return error ? ok({ type: 'fork-failed', workerId, error }) : fail('fork-failed: bad error');
    }
    case 'wrapper': {
      const inner = parseWrapperMessage(message.message);
      return inner.ok
        ? ok({ type: 'wrapper', workerId, message: inner.message })
        : fail(`wrapper: ${inner.reason}`);
    }
    case 'output': {
      const { stream, data } = message;
      if (stream !== 'stdout' && stream !== 'stderr') return fail('output: bad stream');
      if (typeof data !== 'string' || data.length > MANAGER_LIMITS.output)
        return fail('output: bad data');
      return ok({ type: 'output', workerId, stream, data });
    }
    case 'exit': {
      const { code, signal } = message;
      if (code !== null && !Number.isInteger(code)) return fail('exit: bad code');
      if (
        signal !== null &&
        !(typeof signal === 'string' && signal.length <= MANAGER_LIMITS.signal)
      )
        return fail('exit: bad signal');
      return ok({ type: 'exit', workerId, code: code as number | null, signal });
    }
  }
}

/** True when `value` is a well-formed manager message (see {@link parseManagerMessage}). */
export function isManagerMessage(value: unknown): value is ManagerMessage {
  return parseManagerMessage(value).ok;
}

function isPid(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) > 0;
}

function ok(message: ManagerMessage): Parsed<ManagerMessage> {
  return { ok: true, message };
}

function fail(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

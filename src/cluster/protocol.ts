import type { SerializedError } from '../types/info.js';
import type { SupervisorBody, WrapperMessage } from '../actors/wrapper/protocol.js';

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
  | { type: 'exit'; workerId: string; code: number | null; signal: string | null };

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
];

/** Environment variables every worker gets: its slot index (pm2's and guvnor's name, and guv's). */
export const WORKER_INDEX_ENV = ['NODE_APP_INSTANCE', 'GUV_WORKER_INDEX'] as const;

export function isManagerMessage(value: unknown): value is ManagerMessage {
  return (
    typeof value === 'object' &&
    value !== null &&
    MANAGER_MESSAGE_TYPES.includes((value as { type?: unknown }).type as ManagerMessageType)
  );
}

import type { ChildProcess } from 'node:child_process';
import { closeSync } from 'node:fs';
import { resolve } from 'node:path';
import { type GuvHome, checkHome, ensureHome } from '../protocol/home.js';
import { inheritableDescriptors } from '../protocol/inherited-fds.js';
import {
  DAEMON_ALREADY_RUNNING_EXIT_CODE,
  DAEMON_READY_MESSAGE,
  deferStartupEnv,
} from '../protocol/start-handshake.js';
import { GuvError } from '../errors.js';
import { openLogFile } from '../logs/log-file.js';
import { type Connection, type ConnectionOptions, openConnection } from './connection.js';

// The CLI's cold path: only node builtins and import-free modules may be imported here.

export {
  DAEMON_ALREADY_RUNNING_EXIT_CODE,
  signalDaemonReady,
} from '../protocol/start-handshake.js';

export interface AutostartOptions {
  home: GuvHome;
  /** The daemon's main script, run as `process.execPath [...execArgv] daemonEntry`. */
  daemonEntry: string;
  /** The daemon's environment (it finds its home from `GUV_HOME`/XDG in here). */
  env?: NodeJS.ProcessEnv;
  /** Node flags for the daemon, e.g. `['--import', 'tsx']` to run a TypeScript entry. */
  execArgv?: string[];
  /** How long to wait for a daemon to come up. */
  timeoutMs?: number;
  connection?: ConnectionOptions;
  /** Called with the pid of a daemon this call started. */
  onStarted?: (pid: number) => void;
}

const POLL_INTERVAL_MS = 10;

/**
 * Connect to the home's daemon, starting it first if nothing answers; a home whose folders
 * somebody else could have planted things in is refused first (GUV_HOME_UNSAFE). The daemon runs
 * detached in its own session, stdout and stderr appended to `home.daemonLog`, and tells us
 * it is ready over an IPC channel (its main calls `signalDaemonReady()`), so no polling is
 * needed in the usual case. When two callers race, both start a daemon, the lock lets one
 * live, and the loser's caller connects to the winner.
 *
 * @example
 * const connection = await connectOrStartDaemon({ home: resolveHome(), daemonEntry });
 */
export async function connectOrStartDaemon(options: AutostartOptions): Promise<Connection> {
  const { home, timeoutMs = 10_000 } = options;
  checkHome(home);
  try {
    return await openConnection(home.socket, options.connection);
  } catch (error) {
    if ((error as GuvError).code !== 'GUV_DAEMON_NOT_RUNNING') throw error;
  }
  const deadline = Date.now() + timeoutMs;
  const child = await startDaemon(options);
  const outcome = await waitForReady(child, timeoutMs);
  if (outcome.kind === 'ready' && child.pid !== undefined) options.onStarted?.(child.pid);
  // A daemon that lost the race to another starter exits with a known status: wait for the
  // winner. Any other early exit is a failure, once the socket has been tried.
  const lostRace = outcome.kind === 'exited' && outcome.code === DAEMON_ALREADY_RUNNING_EXIT_CODE;
  for (;;) {
    try {
      return await openConnection(home.socket, options.connection);
    } catch (error) {
      const code = (error as GuvError).code;
      if (code !== 'GUV_DAEMON_NOT_RUNNING' || !lostRace || Date.now() >= deadline) {
        throw startFailed(home, outcome, error);
      }
    }
    await new Promise((wake) => setTimeout(wake, POLL_INTERVAL_MS));
  }
}

async function startDaemon(options: AutostartOptions): Promise<ChildProcess> {
  // Loaded only when a daemon must be started: `guv list` against a running daemon never needs it.
  const { spawn } = await import('node:child_process');
  const { home, env = process.env, execArgv = [] } = options;
  ensureHome(home);
  const daemonEnv = deferStartupEnv(env);
  // The daemon runs from its own folder, so a relative GUV_HOME must not be read from there.
  if (daemonEnv.GUV_HOME) daemonEnv.GUV_HOME = resolve(daemonEnv.GUV_HOME);
  const log = openDaemonLog(home);
  try {
    return spawn(process.execPath, [...execArgv, resolve(options.daemonEntry)], {
      cwd: home.state,
      detached: true,
      env: daemonEnv,
      stdio: daemonStdio(log, inheritableDescriptors()),
    });
  } finally {
    closeSync(log);
  }
}

/**
 * The daemon's stdout and stderr: what it says before its own log is open, and its last
 * words. Never through a symlink (the daemon's own log refuses one too).
 */
function openDaemonLog(home: GuvHome): number {
  try {
    return openLogFile(home.daemonLog, undefined, false);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'EFTYPE') {
      throw new GuvError(
        'GUV_HOME_UNSAFE',
        `refusing ${home.daemonLog}: it is a symlink or not a regular file; remove it (guv never writes through a symlink)`,
        { cause: error },
      );
    }
    throw new GuvError('GUV_DAEMON_START_FAILED', `cannot open ${home.daemonLog}`, {
      cause: error,
    });
  }
}

/** Past this, the daemon's own first step closes what it inherited; the stdio list stays short. */
const MAX_COVERED_FD = 255;

/**
 * The daemon's stdio: nothing to read, the log, its IPC channel, and the log again over each
 * descriptor this process would otherwise pass on (spawn leaves a slot it is not given as it
 * is), so that a descriptor of whoever runs `guv` never reaches the daemon; the daemon closes
 * those copies of its log at start.
 */
export function daemonStdio(log: number, inherited: number[]): Array<'ignore' | 'ipc' | number> {
  const stdio: Array<'ignore' | 'ipc' | number> = ['ignore', log, log, 'ipc'];
  for (const fd of inherited) {
    if (fd <= 3 || fd > MAX_COVERED_FD) continue;
    while (stdio.length < fd) stdio.push('ignore');
    stdio[fd] = log;
  }
  return stdio;
}

type StartOutcome =
  | { kind: 'ready' }
  | { kind: 'exited'; code: number | null; signal: string | null }
  | { kind: 'failed'; error: Error }
  | { kind: 'timeout' };

/** Resolves on the daemon's ready message, its early exit, or the timeout; then lets go of it. */
function waitForReady(child: ChildProcess, timeoutMs: number): Promise<StartOutcome> {
  return new Promise((resolveOutcome) => {
    const timer = setTimeout(() => settle({ kind: 'timeout' }), timeoutMs);
    child.on('message', (message) => {
      if (message === DAEMON_READY_MESSAGE) settle({ kind: 'ready' });
    });
    child.once('exit', (code, signal) => settle({ kind: 'exited', code, signal }));
    child.on('error', (error) => settle({ kind: 'failed', error }));
    let settled = false;
    function settle(outcome: StartOutcome): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.connected) child.disconnect();
      child.unref();
      resolveOutcome(outcome);
    }
  });
}

function startFailed(home: GuvHome, outcome: StartOutcome, cause: unknown): GuvError {
  const why =
    outcome.kind === 'exited' && outcome.code === DAEMON_ALREADY_RUNNING_EXIT_CODE
      ? `another daemon holds the lock ${home.pidFile} but does not answer on ${home.socket}`
      : outcome.kind === 'exited'
        ? `it exited (${outcome.signal ?? `code ${outcome.code}`})`
        : outcome.kind === 'failed'
          ? `it could not be spawned (${outcome.error.message})`
          : outcome.kind === 'timeout'
            ? 'it did not become ready in time'
            : 'it said it was ready but does not answer';
  return new GuvError(
    'GUV_DAEMON_START_FAILED',
    `could not start the guv daemon: ${why}; see ${home.daemonLog}`,
    { cause },
  );
}

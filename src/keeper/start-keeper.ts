import { spawn } from 'node:child_process';
import { builtFile } from '../build-output.js';
import { GuvError } from '../errors.js';
import { connectKeeper, type KeeperClient, retireKeeper } from './client.js';
import type { RetireResult } from './protocol.js';

export interface StartKeeperOptions {
  socketDir: string;
  logsDir: string;
  /** With no child and no daemon for this long, the keeper exits. */
  idleExitMs?: number;
  /** Give up waiting for a new keeper to answer after this long. */
  timeoutMs?: number;
  /** The bundled keeper; defaults to dist/keeper/keeper.cjs. */
  keeperPath?: string;
  /** Its environment (tests add a marker for their sweep); default: none but PATH. */
  env?: NodeJS.ProcessEnv;
  /**
   * A keeper of a protocol version this daemon cannot speak was found and retired (its
   * children stopped) before a new one was started; `reason` is its refusal.
   */
  onRetired?(retired: RetireResult & { reason: string }): void;
}

/** What a retired keeper's children get between SIGTERM and SIGKILL. */
const RETIRE_KILL_MS = 5000;

const RETRY_MS = 25;

/**
 * Connects to the home's keeper, starting one first when none answers: detached, in its own
 * process group and session, with no stdio of the daemon's, so it outlives the daemon. Two
 * daemons racing here start at most one keeper (the keeper's lock); the loser connects to it.
 * A keeper that speaks no protocol version of this daemon's (another guv's) is retired first:
 * its children stop, and the daemon's restore starts its saved processes again, once.
 *
 * @example
 * const keeper = await reachKeeper({ socketDir: home.socketDir, logsDir: home.logs });
 */
export async function reachKeeper(options: StartKeeperOptions): Promise<KeeperClient> {
  const found = await findKeeper(options);
  if (found) return found;
  // None yet, or a dead one's files: start one (it clears what a dead keeper left).
  const timeoutMs = options.timeoutMs ?? 10_000;
  const args = [
    options.keeperPath ?? builtFile('keeper/keeper.cjs', 'keeper'),
    '--socket-dir',
    options.socketDir,
    '--logs-dir',
    options.logsDir,
    ...(options.idleExitMs === undefined ? [] : ['--idle-exit-ms', String(options.idleExitMs)]),
  ];
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: 'ignore',
    env: options.env ?? { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    cwd: '/',
  });
  let exitCode: number | null = null;
  child.once('exit', (code) => {
    exitCode = code ?? 1;
  });
  child.on('error', () => {
    exitCode = 1;
  });
  child.unref();
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      return await connectKeeper(options.socketDir, { timeoutMs: 2000 });
    } catch (error) {
      // Another daemon's keeper won the race, and it is not ours either: no use waiting.
      if (isVersionRefusal(error)) throw error;
      lastError = error;
    }
    // Exit 3: another keeper won the race; keep trying to connect to it until the deadline.
    if ((exitCode !== null && exitCode !== 3) || Date.now() > deadline) {
      throw new GuvError(
        'GUV_KEEPER_START_FAILED',
        exitCode === null
          ? `the keeper did not answer within ${timeoutMs} ms`
          : `the keeper exited with code ${exitCode}; see keeper.log in ${options.logsDir}`,
        { cause: lastError },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}

/**
 * The home's keeper if one answers, else null (none is started). One that speaks no protocol
 * version of this daemon's is retired first (its children stop), and null is the answer.
 */
export async function findKeeper(
  options: Pick<StartKeeperOptions, 'socketDir' | 'onRetired'>,
): Promise<KeeperClient | null> {
  try {
    return await connectKeeper(options.socketDir, { timeoutMs: 2000 });
  } catch (error) {
    if (isVersionRefusal(error)) await retire(options, error);
    return null;
  }
}

function isVersionRefusal(error: unknown): error is GuvError {
  return error instanceof GuvError && error.code === 'GUV_KEEPER_VERSION';
}

async function retire(
  options: Pick<StartKeeperOptions, 'socketDir' | 'onRetired'>,
  refusal: GuvError,
): Promise<void> {
  let retired: RetireResult;
  try {
    retired = await retireKeeper(options.socketDir, { killMs: RETIRE_KILL_MS });
  } catch (cause) {
    throw new GuvError(
      'GUV_KEEPER_VERSION',
      `${refusal.message}, and it did not retire: ${(cause as Error).message}`,
      { cause },
    );
  }
  options.onRetired?.({ ...retired, reason: refusal.message });
}

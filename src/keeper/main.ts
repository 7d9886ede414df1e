/**
 * The keeper process's entry (bundled as dist/keeper/keeper.cjs): `node keeper.cjs
 * --socket-dir <dir> --logs-dir <dir> [--idle-exit-ms <ms>]`. Started detached by the daemon
 * (src/keeper/start-keeper.ts); exits 3 when a keeper already runs for the home.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GuvError } from '../errors.js';
import { tuneForSmallFootprint } from '../footprint/footprint.js';
import { openRotatingFile } from '../logs/rotating-file.js';
import { runKeeper } from './keeper.js';

const DEFAULT_IDLE_EXIT_MS = 60_000;
const SHUTDOWN_KILL_MS = 5000;

export const KEEPER_EXIT = { ok: 0, failed: 1, usage: 2, running: 3 } as const;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'socket-dir': { type: 'string' },
      'logs-dir': { type: 'string' },
      'idle-exit-ms': { type: 'string' },
    },
    strict: true,
  });
  const socketDir = values['socket-dir'];
  const logsDir = values['logs-dir'];
  const idleExitMs = Number(values['idle-exit-ms'] ?? DEFAULT_IDLE_EXIT_MS);
  if (!socketDir?.startsWith('/') || !logsDir?.startsWith('/') || !(idleExitMs >= 0)) {
    process.stderr.write(
      'usage: keeper --socket-dir <abs> --logs-dir <abs> [--idle-exit-ms <ms>]\n',
    );
    return KEEPER_EXIT.usage;
  }
  const file = openRotatingFile({ path: join(logsDir, 'keeper.log'), maxBytes: 1 << 20, keep: 2 });
  const log = (line: string) => {
    try {
      file.write(`${new Date().toISOString()} ${line}\n`);
    } catch {
      // A full disk must not stop the keeper: the children matter more than its log.
    }
  };
  // The keeper must never die of a bug in one request: its children would go with it.
  process.on('uncaughtException', (error) => log(`uncaught: ${error.stack ?? error}`));
  process.on('unhandledRejection', (error) => log(`unhandled rejection: ${String(error)}`));
  // Detached and without a terminal: a hangup or an interrupt is not addressed to it.
  process.on('SIGHUP', () => {});
  process.on('SIGINT', () => {});
  process.on('SIGPIPE', () => {});
  let keeper: Awaited<ReturnType<typeof runKeeper>>;
  try {
    keeper = await runKeeper({ socketDir, logsDir, idleExitMs, log });
  } catch (error) {
    const running = error instanceof GuvError && error.code === 'GUV_KEEPER_RUNNING';
    log(`not started: ${(error as Error).message}`);
    process.stderr.write(`guv keeper: ${(error as Error).message}\n`);
    return running ? KEEPER_EXIT.running : KEEPER_EXIT.failed;
  }
  // Tuned as the daemon is (small young generation, no optimizing compiler, idle trim): the
  // keeper lives as long as the apps and mostly waits.
  const trim = tuneForSmallFootprint();
  process.on('SIGTERM', () => void keeper.stop(SHUTDOWN_KILL_MS));
  await keeper.stopped;
  trim.stop();
  file.close();
  return KEEPER_EXIT.ok;
}

void main().then((code) => process.exit(code));

import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { GuvError } from '../errors.js';
import { loadDaemonConfig } from './daemon-config.js';
import { createDaemonLog } from './daemon-log.js';
import { createDaemon } from './daemon.js';
import { ensureHome, resolveHome } from './home.js';
import { acquireDaemonLock } from './lock.js';
import {
  DAEMON_ALREADY_RUNNING_EXIT_CODE,
  restoreDeferredEnv,
  signalDaemonReady,
} from './start-handshake.js';

/** The daemon process: `node dist/daemon/start.cjs` (bundled), normally started by the first `guv` command. */
async function main(): Promise<void> {
  restoreDeferredEnv();
  const log = createDaemonLog();
  const home = resolveHome();
  ensureHome(home);
  let lock: Awaited<ReturnType<typeof acquireDaemonLock>>;
  try {
    lock = await acquireDaemonLock(home.pidFile);
  } catch (error) {
    if (error instanceof GuvError && error.code === 'GUV_DAEMON_RUNNING') {
      log.info(error.message);
      process.exit(DAEMON_ALREADY_RUNNING_EXIT_CODE);
    }
    throw error;
  }
  process.on('exit', () => lock.release());
  const config = loadDaemonConfig(join(home.config, 'guv.json'));
  const daemon = createDaemon({
    home,
    config,
    log,
    onExit: (code) => {
      lock.release();
      log.info({ code }, 'guv daemon exited');
      process.exit(code);
    },
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => void daemon.shutdown(0));
  }
  process.on('SIGHUP', () => {});
  // A bug in one request must not take every supervised app down with the daemon.
  process.on('uncaughtException', (error) => {
    log.error({ err: error }, 'uncaught exception in the daemon');
    daemon.hub.emit('daemon:log:error', {
      date: Date.now(),
      message: `uncaught exception: ${error.message}`,
    });
  });
  process.on('unhandledRejection', (reason) => {
    log.error({ err: reason }, 'unhandled rejection in the daemon');
  });
  await daemon.start();
  signalDaemonReady();
  tuneForSmallFootprint();
}

/**
 * The daemon is a long-lived, mostly idle supervisor whose one hot loop (log framing) is
 * WebAssembly: it is tuned for a small resident size, not for peak JavaScript speed.
 * - `--semi-space-growth-factor=1`: the young generation stays at its initial 1 MiB instead of
 *   growing to 16 MiB per semi-space (scavenges stay cheap: the daemon allocates little, briefly).
 * - `--optimize-for-size`: V8's heap grows and keeps less slack.
 * - `--no-opt`: no TurboFan. Its compiler's code pages alone are ~3.5 MiB of resident memory
 *   once anything is optimized; measured, a 1M-line log flood then costs the daemon less CPU, not
 *   more (no compile work), and 100 apps start as fast.
 * With 100 idle apps: 63 → 53 MiB. Set at run time, once up: V8 flags on the command line make
 * Node compile its built-in modules without their code cache (~25 ms of boot), and builtins
 * first loaded after a flag change do too, so this comes after start-up.
 */
function tuneForSmallFootprint(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString('--optimize-for-size');
  setFlagsFromString('--no-opt');
}

main().catch((error: unknown) => {
  process.stderr.write(`guv daemon: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

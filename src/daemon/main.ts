import { GuvError } from '../errors.js';
import { createDaemon } from './daemon.js';
import { openDaemonFiles } from './daemon-files.js';
import { tuneForSmallFootprint } from '../footprint/footprint.js';
import { closeInheritedDescriptors } from '../protocol/inherited-fds.js';
import { acquireDaemonLock } from './lock.js';
import {
  DAEMON_ALREADY_RUNNING_EXIT_CODE,
  restoreDeferredEnv,
  signalDaemonReady,
} from '../protocol/start-handshake.js';

/** The daemon process: `node dist/daemon/start.cjs` (bundled), normally started by the first `guv` command. */
async function main(): Promise<void> {
  // Before anything opens a file: whatever its starter had open must not reach the apps.
  const inherited = closeInheritedDescriptors();
  restoreDeferredEnv();
  const { home, config, logAccess, log } = await openDaemonFiles();
  if (inherited.length > 0) log.debug({ fds: inherited }, 'closed inherited descriptors');
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
  const daemon = createDaemon({
    home,
    config,
    log,
    logAccess,
    // `guv startup`'s unit starts the daemon with --boot: the saved processes come back.
    startMode: process.argv.includes('--boot') ? 'boot' : 'daemon',
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
  // After an uncaught exception nothing the daemon holds can be trusted: it says so
  // (daemon:fatality), then exits; the next daemon stops what this one left and restores it.
  let dying = false;
  const die = (error: unknown, what: string) => {
    log.error({ err: error }, `${what} in the daemon`);
    if (dying) return;
    dying = true;
    void daemon.fatal(error).finally(() => {
      log.fatal('the daemon exits after its fatality');
      process.exit(1);
    });
  };
  process.on('uncaughtException', (error) => die(error, 'uncaught exception'));
  process.on('unhandledRejection', (reason) => die(reason, 'unhandled rejection'));
  await daemon.start();
  signalDaemonReady();
  tuneForSmallFootprint((before, after) => daemon.log.debug({ before, after }, 'heap trimmed'));
}

main().catch((error: unknown) => {
  process.stderr.write(`guv daemon: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

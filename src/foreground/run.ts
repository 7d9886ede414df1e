import type { CliIO } from '../cli/command.js';
import { createDaemon } from '../daemon/daemon.js';
import { openDaemonFiles } from '../daemon/daemon-files.js';
import { acquireDaemonLock } from '../daemon/lock.js';
import { GuvError } from '../errors.js';
import { killAll } from './force-stop.js';
import { startHealthServer } from './health.js';
import { printAppLogs } from './log-printer.js';
import type { RunOptions } from './run-args.js';

export interface ForegroundDeps {
  /**
   * Starts the apps (a script with start options, or an apps file) against the daemon of
   * `io.env`'s home: `guv start`'s logic, resolving to its exit status.
   */
  startApps(io: CliIO): Promise<number>;
  /** Where the process's stop signals are listened to; `process` unless a test says otherwise. */
  signals?: Pick<NodeJS.Process, 'on' | 'off'>;
  pid?: number;
}

/** Set by bin/guv-init when it runs guv as PID 1's child and reaps what guv cannot. */
export const REAPED_ENV = 'GUV_REAPED';

const SIGNAL_NUMBERS = { SIGINT: 2, SIGTERM: 15 } as const;

/**
 * `guv run`: the daemon's supervision in this process, in the foreground. Opens the home's
 * socket (so `guv list` works beside it, e.g. `docker exec`), starts the apps, prints their
 * lines, and on SIGTERM or SIGINT stops everything on the normal stop path (kill timeouts
 * included) and resolves to 0; a second signal kills what is left at once. Resolves to the start's
 * status when the apps could not be started. Nothing is restored from, or saved to, the home's
 * process list.
 *
 * @example
 * const code = await runForeground(parseRunOptions({ raw: true }), io, { startApps });
 */
export async function runForeground(
  options: RunOptions,
  io: CliIO,
  deps: ForegroundDeps,
): Promise<number> {
  const signals = deps.signals ?? process;
  if ((deps.pid ?? process.pid) === 1 && io.env[REAPED_ENV] !== '1')
    io.stderr.write(
      'guv: warning: guv run is PID 1 and Node cannot reap orphaned grandchildren: use guv-init as the entry point (ENTRYPOINT ["guv-init", "run", …]) or docker run --init\n',
    );
  const { home, config, logAccess, log } = await openDaemonFiles(io.env);
  const lock = await acquireDaemonLock(home.pidFile).catch((error: unknown) => {
    log.close();
    if (error instanceof GuvError && error.code === 'GUV_DAEMON_RUNNING')
      throw new GuvError(
        'GUV_DAEMON_RUNNING',
        `${error.message}: guv run supervises in the foreground and needs a home of its own (GUV_HOME)`,
        { cause: error },
      );
    throw error;
  });
  let exited: (code: number) => void = () => {};
  const exit = new Promise<number>((resolve) => {
    exited = resolve;
  });
  const daemon = createDaemon({
    home,
    config,
    log,
    logAccess,
    startMode: 'foreground',
    onExit: (code) => exited(code),
  });
  const stopPrinting = printAppLogs({
    bus: daemon.bus,
    raw: options.raw,
    stdout: io.stdout,
    stderr: io.stderr,
  });
  let stopping = false;
  const onSignal = (signal: keyof typeof SIGNAL_NUMBERS) => {
    if (!stopping) {
      stopping = true;
      io.stderr.write(`guv: ${signal}: stopping every app (again to kill at once)\n`);
      void daemon.shutdown(0);
      return;
    }
    killAll(
      daemon.table
        .all()
        .map((supervised) => supervised.pid)
        .filter((pid) => pid !== null),
    );
    exited(128 + SIGNAL_NUMBERS[signal]);
  };
  const listeners = (['SIGTERM', 'SIGINT'] as const).map((signal) => {
    const listener = () => onSignal(signal);
    signals.on(signal, listener);
    return () => signals.off(signal, listener);
  });
  let health: Awaited<ReturnType<typeof startHealthServer>> | null = null;
  const cleanUp = async () => {
    for (const remove of listeners) remove();
    stopPrinting();
    await health?.close();
    lock.release();
    log.close();
  };
  try {
    await daemon.start();
    if (options.healthPort !== null) {
      health = await startHealthServer({
        host: options.healthHost,
        port: options.healthPort,
        apps: () =>
          daemon.table.all().map((supervised) => {
            const info = supervised.info();
            return { name: info.name, status: info.status };
          }),
      }).catch((error: unknown) => {
        throw new GuvError(
          'GUV_HEALTH_UNAVAILABLE',
          `the health endpoint cannot listen on ${options.healthHost}:${options.healthPort}: ${(error as Error).message}`,
          { cause: error },
        );
      });
      io.stderr.write(`guv: health endpoint on http://${options.healthHost}:${health.port}/\n`);
    }
    const env = { ...io.env };
    delete env[REAPED_ENV];
    // stdout is the apps' (JSON lines): what the start says goes to stderr.
    const started = await deps.startApps({ ...io, stdout: io.stderr, env });
    if (started !== 0 && !stopping) {
      io.stderr.write('guv: not every app started: stopping the others\n');
      stopping = true;
      void daemon.shutdown(started);
    }
  } catch (error) {
    if (!stopping) {
      stopping = true;
      void daemon.shutdown(1);
    }
    await exit;
    await cleanUp();
    throw error;
  }
  const code = await exit;
  await cleanUp();
  return code;
}

import pino from 'pino';
import { type LogAccess, type RotatingFile, openRotatingFile } from '../logs/index.js';

export interface DaemonLogger {
  debug(details: object | string, message?: string): void;
  info(details: object | string, message?: string): void;
  warn(details: object | string, message?: string): void;
  error(details: object | string, message?: string): void;
  fatal(details: object | string, message?: string): void;
}

export interface DaemonLogOptions {
  /** `<logs>/daemon.log`. */
  path: string;
  /** Rotate like any other log (guv.json `logs.maxBytes`, `logs.keep`). */
  maxBytes: number;
  keep: number;
  access?: LogAccess;
  level?: string;
  /** Where lines go when the file cannot be written; at most {@link STDERR_FALLBACK_BYTES} of them. */
  fallback?: (text: string) => void;
}

/** What the daemon may write to its stderr (itself a file) when its log file fails. */
export const STDERR_FALLBACK_BYTES = 1024 * 1024;

/**
 * The daemon's own structured log: pino JSON lines in `daemon.log`, rotated by size, so
 * nothing a child or a client makes the daemon say can fill the disk. Synchronous writes: a
 * daemon that is about to die still says why. When the file cannot be written the lines go to
 * stderr, up to a cap.
 *
 * @example
 * const log = createDaemonLog({ path: home.daemonLog, maxBytes: 10 << 20, keep: 5 });
 */
export function createDaemonLog(options: DaemonLogOptions): DaemonLogger & { close(): void } {
  const file: RotatingFile = openRotatingFile(options);
  const fallback = capped(
    options.fallback ?? ((text) => process.stderr.write(text)),
    STDERR_FALLBACK_BYTES,
  );
  const destination = {
    write(text: string) {
      try {
        file.write(text);
      } catch {
        fallback(text);
      }
    },
  };
  const level = options.level ?? process.env.GUV_LOG_LEVEL ?? 'info';
  const logger = pino({ level, base: { pid: process.pid } }, destination);
  return {
    debug: logger.debug.bind(logger),
    info: logger.info.bind(logger),
    warn: logger.warn.bind(logger),
    error: logger.error.bind(logger),
    fatal: logger.fatal.bind(logger),
    close: () => file.close(),
  };
}

/** `write`, until `maxBytes` have gone through it; then one notice, then nothing. */
function capped(write: (text: string) => void, maxBytes: number): (text: string) => void {
  let left = maxBytes;
  return (text) => {
    if (left <= 0) return;
    left -= Buffer.byteLength(text);
    write(
      left > 0
        ? text
        : 'guv daemon: log file unwritable and stderr cap reached; dropping log lines\n',
    );
  };
}

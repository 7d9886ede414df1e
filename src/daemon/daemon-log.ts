import pino from 'pino';

export interface DaemonLogger {
  debug(details: object | string, message?: string): void;
  info(details: object | string, message?: string): void;
  warn(details: object | string, message?: string): void;
  error(details: object | string, message?: string): void;
  fatal(details: object | string, message?: string): void;
}

/**
 * The daemon's own structured log: pino JSON on stdout, which the daemon's starter points at
 * `<logs>/daemon.log`. Synchronous writes: a daemon that is about to die still says why.
 */
export function createDaemonLog(level = process.env.GUV_LOG_LEVEL ?? 'info'): DaemonLogger {
  return pino({ level, base: { pid: process.pid } }, pino.destination({ fd: 1, sync: true }));
}

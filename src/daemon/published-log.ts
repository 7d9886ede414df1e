import { truncateText } from '../actors/wrapper/parse-message.js';
import { WRAPPER_LIMITS } from '../actors/wrapper/protocol.js';
import type { GuvEventName, GuvEvents } from '../bus/events.js';
import type { LogRecord } from '../types/info.js';
import type { DaemonLogger } from './daemon-log.js';

type Level = 'debug' | 'info' | 'warn' | 'error';

const EVENT_OF_LEVEL = {
  debug: 'daemon:log:debug',
  info: 'daemon:log:info',
  warn: 'daemon:log:warn',
  error: 'daemon:log:error',
} as const satisfies Record<Level, GuvEventName>;

/** Where the daemon's log lines are published: the event hub, or anything shaped like it. */
export interface LogOutlet {
  isWatched(type: GuvEventName): boolean;
  emit(type: (typeof EVENT_OF_LEVEL)[Level], ...args: GuvEvents['daemon:log:info']): void;
}

/**
 * The daemon's log as the seed promises it: every debug, info, warn and error line goes to
 * daemon.log (as the file's level allows) and, while somebody watches, to the bus as
 * `daemon:log:<level> (log)`. Each line is published once, whoever writes it. A fatal line is
 * not a log event: `daemon:fatality` says it. A line written while one is being published
 * (a listener that throws, whose error is logged) goes to the file only, so it cannot loop.
 *
 * @example
 * const log = publishedLog(createDaemonLog(...), hub);
 * log.warn({ pid }, 'stopped a leftover child'); // daemon.log, and daemon:log:warn while watched
 */
export function publishedLog(
  file: DaemonLogger,
  outlet: LogOutlet,
  now: () => number = Date.now,
): DaemonLogger {
  let publishing = false;

  function line(level: Level) {
    return (details: object | string, message?: string): void => {
      file[level](details, message);
      const type = EVENT_OF_LEVEL[level];
      if (publishing || !outlet.isWatched(type)) return;
      publishing = true;
      try {
        outlet.emit(type, { date: now(), message: logText(details, message) });
      } finally {
        publishing = false;
      }
    };
  }

  return {
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
    fatal: (details, message) => file.fatal(details, message),
  };
}

/** A log record's text: the message, the details besides the error, then the error's message. */
export function logText(details: object | string, message?: string): LogRecord['message'] {
  if (typeof details === 'string') return truncateText(details, WRAPPER_LIMITS.logMessage);
  const { err, ...rest } = details as { err?: unknown };
  let text = message ?? '';
  if (Object.keys(rest).length > 0) text += ` ${safeJson(rest)}`;
  const why = err instanceof Error ? err.message : err === undefined ? '' : String(err);
  if (why && !text.includes(why)) text += `: ${why}`;
  return truncateText(text.trim(), WRAPPER_LIMITS.logMessage);
}

function safeJson(value: object): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

import { describeTransition, type HistoryEntry } from '../machines/history.js';
import type { StoredException } from './exception-store.js';

/** How long before an exit a fatal exception may be to count as its cause. */
export const CAUSE_WINDOW_MS = 10_000;

/**
 * The exception that caused a restart: the last unhandled one at or before the exit that led
 * to `entry`, within `windowMs`. Handled exceptions never kill a process, so they never count.
 * Pure.
 *
 * @example
 * const cause = linkRestartToException(entry, exceptions.list(id));
 */
export function linkRestartToException(
  entry: HistoryEntry,
  exceptions: readonly StoredException[],
  windowMs = CAUSE_WINDOW_MS,
): StoredException | null {
  if (entry.cause.event !== 'CHILD.EXIT') return null;
  let found: StoredException | null = null;
  for (const exception of exceptions) {
    if (exception.handled) continue;
    if (exception.time > entry.time || exception.time < entry.time - windowMs) continue;
    if (!found || exception.time >= found.time) found = exception;
  }
  return found;
}

/**
 * `uncaught TypeError: x is undefined (at server.js:12)`: the error and the first frame of the
 * app's own code (Node's internals and node_modules skipped when something else is there).
 */
export function describeException(exception: StoredException): string {
  const { error } = exception;
  const site = errorSite(error);
  const kind = exception.handled ? 'handled' : 'uncaught';
  const firstLine = error.message.split('\n')[0];
  return `${kind} ${error.name}: ${firstLine}${site ? ` (at ${site})` : ''}`;
}

/**
 * `restarting at 03:12:07 after exit code 1; uncaught TypeError: x is undefined (at server.js:12)`
 * — `guv why`'s line for a restart, with its cause when one is known.
 */
export function describeRestart(
  entry: HistoryEntry,
  exceptions: readonly StoredException[],
  options: { utc?: boolean } = {},
): string {
  const line = describeTransition(entry, options);
  const cause = linkRestartToException(entry, exceptions);
  return cause ? `${line}; ${describeException(cause)}` : line;
}

/** `server.js:12`: where the app's own code threw (the wrapper's word first), or null. */
export function errorSite(error: { stack?: string; site?: string }): string | null {
  if (error.site !== undefined) {
    const match = /^(.*):(\d+)$/.exec(error.site);
    if (match) return `${match[1]!.slice(match[1]!.lastIndexOf('/') + 1)}:${match[2]}`;
  }
  return crashSite(error.stack);
}

/** `file.js:12` of the most useful stack frame, or null. */
export function crashSite(stack: string | undefined): string | null {
  if (!stack) return null;
  const frames = stack
    .split('\n')
    .map((line) => /^\s*at (?:.*? \()?(.+?):(\d+):\d+\)?$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ file: match[1]!, line: match[2]! }))
    .filter((frame) => !frame.file.startsWith('node:') && frame.file !== 'native');
  const own = frames.find((frame) => !frame.file.includes('/node_modules/')) ?? frames[0];
  if (!own) return null;
  const file = own.file.replace(/^file:\/\//, '');
  return `${file.slice(file.lastIndexOf('/') + 1)}:${own.line}`;
}

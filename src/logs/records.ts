import { type LogLevel, type LogSource, describeLogPath, parseLogLine } from './format.js';

/** One record read back from a log file. `time` is epoch ms. */
export interface LogLine {
  time: number;
  level: LogLevel;
  process: string;
  message: string;
}

/** Which records to show: by level (one or several) and by a pattern on the message. */
export interface LogFilter {
  level?: LogLevel | readonly LogLevel[];
  grep?: RegExp;
}

/** A log file given by path (process and level read from it) or described explicitly. */
export type LogFileRef = string | LogSource;

export function toSource(ref: LogFileRef): LogSource {
  return typeof ref === 'string' ? describeLogPath(ref) : ref;
}

export function levelWanted(level: LogLevel, filter: LogFilter): boolean {
  if (filter.level === undefined) return true;
  return typeof filter.level === 'string' ? filter.level === level : filter.level.includes(level);
}

/** Parses a line of `source` into a record if it is one and passes `filter`'s pattern. */
export function toRecord(line: string, source: LogSource, filter: LogFilter): LogLine | null {
  const parsed = parseLogLine(line);
  if (!parsed) return null;
  if (filter.grep) {
    filter.grep.lastIndex = 0; // a /g or /y pattern keeps state between tests
    if (!filter.grep.test(parsed.message)) return null;
  }
  return {
    time: parsed.time,
    level: source.level,
    process: source.process,
    message: parsed.message,
  };
}

/**
 * Merges lists that are each in file order into one ordered by time. Never reorders records of
 * the same list (a file's order is the truth even if the clock stepped back); ties go to the
 * earlier list.
 */
export function mergeByTime(lists: readonly LogLine[][]): LogLine[] {
  const live = lists.filter((list) => list.length > 0);
  if (live.length <= 1) return live[0] ? [...live[0]] : [];
  const heads = live.map(() => 0);
  const merged: LogLine[] = [];
  for (;;) {
    let best = -1;
    for (let i = 0; i < live.length; i++) {
      const record = live[i]![heads[i]!];
      if (record && (best === -1 || record.time < live[best]![heads[best]!]!.time)) best = i;
    }
    if (best === -1) return merged;
    merged.push(live[best]![heads[best]!]!);
    heads[best]!++;
  }
}

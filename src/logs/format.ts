import { basename, dirname, join } from 'node:path';

/** Levels of a process's log records: stdout is `info`, stderr is `error`, the wrapper adds warn/debug. */
export type LogLevel = 'info' | 'warn' | 'error' | 'debug';

/** The file (without directory) each level is written to. */
export const LOG_FILE_BASE: Readonly<Record<LogLevel, string>> = {
  info: 'out',
  error: 'err',
  warn: 'warn',
  debug: 'debug',
};

const LEVEL_BY_BASE = new Map<string, LogLevel>(
  Object.entries(LOG_FILE_BASE).map(([level, base]) => [base, level as LogLevel]),
);

/** Length of `2026-11-24T13:40:00.123Z ` — every record starts with it. */
export const TIME_PREFIX_LENGTH = 25;

/** The prefix of every record: the ISO time and one space. */
export function timePrefix(epochMs: number): string {
  return new Date(epochMs).toISOString() + ' ';
}

/**
 * Where a process's (or a cluster worker's) log for one level lives.
 *
 * @example
 * logFilePath('/home/me/.guv/logs', 'api', 'error', 2); // …/logs/api/worker-2.err.log
 */
export function logFilePath(
  logsDir: string,
  processName: string,
  level: LogLevel,
  workerIndex?: number,
): string {
  const worker = workerIndex === undefined ? '' : `worker-${workerIndex}.`;
  return join(logsDir, processName, `${worker}${LOG_FILE_BASE[level]}.log`);
}

/** `out.log` → `out.log.2`: the n-th rotated file (n ≥ 1), older as n grows. */
export function rotatedPath(path: string, n: number): string {
  return n === 0 ? path : `${path}.${n}`;
}

/** Which process and level a log file belongs to, read from its path (see {@link logFilePath}). */
export interface LogSource {
  path: string;
  process: string;
  level: LogLevel;
}

/** `…/api/worker-2.err.log` → `{ process: 'api/worker-2', level: 'error' }`; unknown names → info. */
export function describeLogPath(path: string): LogSource {
  const dir = basename(dirname(path));
  const name = basename(path).replace(/\.log$/, '');
  const match = /^(worker-\d+)\.(.+)$/.exec(name);
  const base = match ? match[2]! : name;
  return {
    path,
    process: match ? `${dir}/${match[1]}` : dir,
    level: LEVEL_BY_BASE.get(base) ?? 'info',
  };
}

const RECORD_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /;

/** Split one line of a log file into its time (epoch ms) and message; null if it is not a record. */
export function parseLogLine(line: string): { time: number; message: string } | null {
  if (!RECORD_TIME.test(line)) return null;
  const time = Date.parse(line.slice(0, TIME_PREFIX_LENGTH - 1));
  if (Number.isNaN(time)) return null;
  const end = line.endsWith('\r') ? line.length - 1 : line.length;
  return { time, message: line.slice(TIME_PREFIX_LENGTH, end) };
}

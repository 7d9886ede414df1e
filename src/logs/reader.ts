import { stat } from '../fs/async-fs.js';
import { type LogSource, rotatedPath } from './format.js';
import { linesFromEnd } from './read-backward.js';
import {
  type LogFileRef,
  type LogFilter,
  type LogLine,
  levelWanted,
  mergeByTime,
  toRecord,
  toSource,
} from './records.js';

export interface ReadLastOptions extends LogFilter {
  /** How many records to return at most (after filtering), the newest. */
  lines: number;
}

/**
 * The last `lines` records of several log files (current files: `out.log`, not `out.log.1`),
 * filtered, merged by time. Reads each file from its end and goes on into `out.log.1`, `.2` …
 * only when the newer files hold too few matching records.
 *
 * @example
 * await readLastRecords([logFilePath(dir, 'api', 'info'), logFilePath(dir, 'api', 'error')], { lines: 15 });
 */
export async function readLastRecords(
  files: readonly LogFileRef[],
  options: ReadLastOptions,
): Promise<LogLine[]> {
  if (!Number.isInteger(options.lines) || options.lines < 0) {
    throw new TypeError(`lines must be an integer ≥ 0, received ${options.lines}`);
  }
  if (options.lines === 0) return [];
  const sources = files.map(toSource).filter((source) => levelWanted(source.level, options));
  const lists = await Promise.all(sources.map((source) => lastOfSource(source, options)));
  return mergeByTime(lists).slice(-options.lines);
}

async function lastOfSource(source: LogSource, options: ReadLastOptions): Promise<LogLine[]> {
  const newestFirst: LogLine[] = [];
  for (let n = 0; newestFirst.length < options.lines; n++) {
    const path = rotatedPath(source.path, n);
    // The current file is briefly missing while the writer rotates; a missing `.n` ends the chain.
    if (n > 0 && !(await exists(path))) break;
    for await (const line of linesFromEnd(path)) {
      const record = toRecord(line, source, options);
      if (record) newestFirst.push(record);
      if (newestFirst.length >= options.lines) break;
    }
  }
  return newestFirst.reverse();
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

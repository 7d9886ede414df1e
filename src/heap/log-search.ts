import { parseLogLine, TIME_PREFIX_LENGTH } from '../logs/format.js';
import { ByteReader } from './byte-reader.js';

export interface LogMatch {
  /** 1-based line number in the file. */
  line: number;
  /** Epoch ms of the record, or null for a line that is not a guv record. */
  time: number | null;
  /** The record's message (the whole line when it is not a guv record). */
  text: string;
}

export interface LogSearchOptions {
  /** Matches returned at most. Default 100. */
  limit?: number;
  /** `last` (default) keeps the newest matches, as `guv logs` shows; `first` stops early. */
  keep?: 'first' | 'last';
}

export interface LogSearchResult {
  matches: LogMatch[];
  /** Every match in the file, even those beyond `limit` (when `keep` is `last`). */
  total: number;
  lines: number;
}

/** A line longer than this is cut: one runaway line must not take the worker's memory. */
export const MAX_LINE_BYTES = 1 << 20;

const NEWLINE = 0x0a;
const RECORD_START = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /;

/**
 * Greps one log file line by line through a fixed buffer. Tested against a record's message, as
 * `guv logs --grep` does; the pattern's `g` and `y` flags are dropped so every line is tested
 * from its start. Blocking: run it in the heavy-work pool.
 *
 * @example
 * searchLogFile('/var/log/guvnor/api/err.log', /ECONNRESET/, { limit: 20 });
 */
export function searchLogFile(
  path: string,
  pattern: RegExp,
  options: LogSearchOptions = {},
): LogSearchResult {
  const limit = options.limit ?? 100;
  const keep = options.keep ?? 'last';
  const regex = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
  const matches: LogMatch[] = [];
  let total = 0;
  let lineNumber = 0;
  const reader = new ByteReader(path);
  const parts: Buffer[] = [];
  let partBytes = 0;

  const test = (raw: string): boolean => {
    lineNumber++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    // The time is parsed only for matches: most lines of a big log are not.
    const isRecord = line.length >= TIME_PREFIX_LENGTH && RECORD_START.test(line);
    const text = isRecord ? line.slice(TIME_PREFIX_LENGTH) : line;
    if (!regex.test(text)) return false;
    total++;
    const time = isRecord ? (parseLogLine(line)?.time ?? null) : null;
    matches.push({ line: lineNumber, time, text });
    if (matches.length > limit) matches.shift();
    return keep === 'first' && matches.length >= limit;
  };

  try {
    outer: while (reader.fill()) {
      const { buffer, end } = reader;
      let start = 0;
      for (;;) {
        const newline = buffer.indexOf(NEWLINE, start);
        if (newline < 0 || newline >= end) break;
        const cut = Math.min(newline, start + MAX_LINE_BYTES - partBytes);
        let raw: string;
        if (parts.length === 0) raw = buffer.toString('utf8', start, cut);
        else {
          if (cut > start) parts.push(buffer.subarray(start, cut));
          raw = Buffer.concat(parts).toString('utf8');
        }
        parts.length = 0;
        partBytes = 0;
        start = newline + 1;
        if (test(raw)) break outer;
      }
      if (start < end && partBytes < MAX_LINE_BYTES) {
        const tail = Buffer.from(
          buffer.subarray(start, Math.min(end, start + MAX_LINE_BYTES - partBytes)),
        );
        parts.push(tail);
        partBytes += tail.length;
      }
    }
    if (parts.length > 0 && !(keep === 'first' && matches.length >= limit)) {
      test(Buffer.concat(parts).toString('utf8'));
    }
  } finally {
    reader.close();
  }
  return { matches, total, lines: lineNumber };
}

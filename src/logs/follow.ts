import * as fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { stat } from '../fs/async-fs.js';
import { type LogSource, rotatedPath } from './format.js';
import {
  type LogFileRef,
  type LogFilter,
  type LogLine,
  levelWanted,
  mergeByTime,
  toRecord,
  toSource,
} from './records.js';

export interface FollowOptions extends LogFilter {
  /** Start at the current end of each file (default) or at its beginning. */
  fromEnd?: boolean;
  /** How often files are checked for new lines and rotations. Default 200 ms. */
  intervalMs?: number;
  /** How far down `out.log.1`, `.2` … to look for a file that rotated away. Default 100. */
  maxRotated?: number;
  /** A read failed for a reason other than a file being absent. */
  onError?: (error: unknown) => void;
}

export interface LogFollower {
  /** Stops following; resolves once the last check has finished and files are closed. */
  close(): Promise<void>;
}

const NEWLINE = 0x0a;
const READ_SIZE = 256 * 1024;

/**
 * Calls `onRecord` for every record appended to the files from now on (or from their start),
 * in time order across files within each check. Follows rotations: when `out.log` is renamed
 * the old file is read to its end (the writer has finished writing it before renaming), then any files that
 * rotated past since the last check, then the new `out.log` from its start.
 *
 * @example
 * const follower = followLogs([logFilePath(dir, 'api', 'info')], (r) => console.log(r.message));
 */
export function followLogs(
  files: readonly LogFileRef[],
  onRecord: (record: LogLine) => void,
  options: FollowOptions = {},
): LogFollower {
  const sources = files.map(toSource).filter((source) => levelWanted(source.level, options));
  const tails = sources.map((source) => new FileTail(source, options));
  let running: Promise<void> | null = null;
  let closed = false;

  const check = async (): Promise<void> => {
    const lists = await Promise.all(
      tails.map((tail) =>
        tail.readNew().catch((error: unknown) => {
          options.onError?.(error);
          return [] as LogLine[];
        }),
      ),
    );
    if (closed) return;
    for (const record of mergeByTime(lists)) onRecord(record);
  };
  const tick = (): void => {
    if (running || closed) return;
    running = check().finally(() => {
      running = null;
    });
  };
  tick();
  const timer = setInterval(tick, options.intervalMs ?? 200);

  return {
    async close() {
      closed = true;
      clearInterval(timer);
      await running;
      await Promise.all(tails.map((tail) => tail.close()));
    },
  };
}

/** Follows one log path across its rotations. */
class FileTail {
  readonly #source: LogSource;
  readonly #filter: LogFilter;
  readonly #maxRotated: number;
  #startAtEnd: boolean;
  #file: FileHandle | null = null;
  #ino = -1;
  #position = 0;
  #carry: Buffer = Buffer.alloc(0);
  /** Starting mid-file may land inside a line being written: drop up to its end. */
  #skipPartial = false;

  constructor(source: LogSource, options: FollowOptions) {
    this.#source = source;
    this.#filter = options;
    this.#startAtEnd = options.fromEnd ?? true;
    this.#maxRotated = options.maxRotated ?? 100;
  }

  async readNew(): Promise<LogLine[]> {
    const records: LogLine[] = [];
    if (!this.#file && !(await this.#openCurrent())) return records;
    const current = await stat(this.#source.path).catch(() => null);
    await this.#readToEnd(records);
    if (current && current.ino !== this.#ino) {
      this.#finishLine(records);
      await this.#readRotatedSince(records);
      await this.#file?.close();
      this.#file = null;
      if (await this.#openCurrent()) await this.#readToEnd(records);
    }
    return records;
  }

  async close(): Promise<void> {
    await this.#file?.close();
    this.#file = null;
  }

  async #openCurrent(): Promise<boolean> {
    const file = await fs.promises.open(this.#source.path, 'r').catch(() => null);
    if (!file) return false;
    const { ino, size } = await file.stat();
    this.#file = file;
    this.#ino = ino;
    this.#position = 0;
    this.#carry = Buffer.alloc(0);
    if (this.#startAtEnd && size > 0) {
      this.#position = size;
      const last = Buffer.alloc(1);
      await file.read(last, 0, 1, size - 1);
      this.#skipPartial = last[0] !== NEWLINE;
    }
    this.#startAtEnd = false;
    return true;
  }

  /**
   * Files that rotated past between two checks: `.j-1` … `.1` if ours is now `.j` (all of them if
   * ours was rotated out). Matched by inode, as further rotations may move them meanwhile.
   */
  async #readRotatedSince(records: LogLine[]): Promise<void> {
    const newer: number[] = [];
    for (let n = 1; n <= this.#maxRotated; n++) {
      const info = await stat(rotatedPath(this.#source.path, n)).catch(() => null);
      if (!info || info.ino === this.#ino) break;
      newer.unshift(info.ino);
    }
    for (const ino of newer) {
      const file = await this.#openRotated(ino);
      if (!file) continue;
      try {
        this.#emitLines((await file.readFile()) as Buffer, records);
        this.#finishLine(records);
      } finally {
        await file.close();
      }
    }
  }

  /** Opens the rotated file with inode `ino`, wherever further rotations have moved it. */
  async #openRotated(ino: number): Promise<FileHandle | null> {
    for (let n = 1; n <= this.#maxRotated; n++) {
      const file = await fs.promises.open(rotatedPath(this.#source.path, n), 'r').catch(() => null);
      if (!file) return null;
      if ((await file.stat()).ino === ino) return file;
      await file.close();
    }
    return null;
  }

  async #readToEnd(records: LogLine[]): Promise<void> {
    const file = this.#file;
    if (!file) return;
    for (;;) {
      const buffer = Buffer.allocUnsafe(READ_SIZE);
      const { bytesRead } = await file.read(buffer, 0, READ_SIZE, this.#position);
      if (bytesRead === 0) return;
      this.#position += bytesRead;
      this.#emitLines(buffer.subarray(0, bytesRead), records);
    }
  }

  #emitLines(bytes: Buffer, records: LogLine[]): void {
    let data = this.#carry.length > 0 ? Buffer.concat([this.#carry, bytes]) : bytes;
    if (this.#skipPartial) {
      const nl = data.indexOf(NEWLINE);
      if (nl === -1) {
        this.#carry = Buffer.alloc(0);
        return;
      }
      data = data.subarray(nl + 1);
      this.#skipPartial = false;
    }
    let start = 0;
    for (let nl = data.indexOf(NEWLINE); nl !== -1; nl = data.indexOf(NEWLINE, start)) {
      this.#push(data.toString('utf8', start, nl), records);
      start = nl + 1;
    }
    this.#carry = Buffer.from(data.subarray(start));
  }

  /** A finished file's unterminated last line is still a record. */
  #finishLine(records: LogLine[]): void {
    if (this.#carry.length > 0) this.#push(this.#carry.toString('utf8'), records);
    this.#carry = Buffer.alloc(0);
    this.#skipPartial = false;
  }

  #push(line: string, records: LogLine[]): void {
    const record = toRecord(line, this.#source, this.#filter);
    if (record) records.push(record);
  }
}

import { EventEmitter } from 'node:events';
import { close, closeSync, fstatSync, writev, writevSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { GuvError } from '../errors.js';
import { timePrefix } from './format.js';
import { createLineFramer } from './line-framer.js';
import { type LogAccess, PRIVATE_LOGS, ensureLogFolder, openLogFile } from './log-file.js';
import { rotateFiles } from './rotate.js';
import { borrowScratch, returnScratch } from './scratch.js';
import { type AppendStep, planAppend } from './size-split.js';

const closeAsync = promisify(close);
const writevAsync = promisify(writev);

/** At most this many buffers per `writev` call (Linux IOV_MAX is 1024). */
const MAX_IOV = 1024;
/** A synchronous write slower than this means the disk is not keeping up: go async for a while. */
const SLOW_SYNC_MS = 4;
/** How long the writer stays asynchronous after a slow synchronous write. */
const ASYNC_AFTER_SLOW_MS = 1000;

export interface LogWriterOptions {
  /**
   * The current log file, e.g. `…/logs/api/out.log`; its folder is created if missing. A symlink
   * there is refused, never followed.
   */
  path: string;
  /** Rotate before the file would grow past this many bytes. Default 10 MiB. */
  maxBytes?: number;
  /** Rotated files kept (`out.log.1` … `out.log.<keep>`). Default 5. */
  keep?: number;
  /**
   * A partial line growing past this is written as a record of its own rather than held.
   * Default: maxBytes or 1 MiB, whichever is larger (so lines longer than maxBytes stay whole).
   */
  maxLineBytes?: number;
  /** Bytes queued for the disk above which `write()` returns false. Default 1 MiB. */
  highWaterMark?: number;
  /**
   * With no write in flight, a batch up to this many bytes is written at once with `writevSync`
   * (into the page cache: microseconds) instead of a round trip through libuv's pool. A write that
   * takes longer than a few ms turns this off for a second. 0: always off the event loop.
   * Default 256 KiB.
   */
  syncMaxBytes?: number;
  /** Modes and group of the file and its folder. Default: private (0600 in a 0700 folder). */
  access?: LogAccess;
  /** Epoch ms; injected for tests. */
  now?: () => number;
  /** Called for each failed disk operation; without it, `close()` rejects with the first failure. */
  onError?: (error: GuvError) => void;
}

/** An append-only, size-rotated log file fed with raw output chunks or whole messages. */
export interface LogWriter {
  readonly path: string;
  /**
   * Queues the complete lines in `chunk`, each prefixed with the time; a partial last line waits
   * for its newline. Returns false when the queue is past its high-water mark: pause the source
   * until `'drain'`.
   */
  write(chunk: Buffer): boolean;
  /** Queues a message as one record per line of it, stamped with `time` (default now). */
  writeRecord(message: string, time?: number): boolean;
  /** Resolves once everything queued so far (partial line aside) is in the file. */
  flush(): Promise<void>;
  /** Writes the held partial line, waits for the queue, closes the file. Writes after it throw. */
  close(): Promise<void>;
  on(event: 'drain', listener: () => void): this;
  once(event: 'drain', listener: () => void): this;
  off(event: 'drain', listener: () => void): this;
}

/**
 * Writes a small batch at once when nothing is in flight (a page-cache copy of microseconds);
 * otherwise, or once a synchronous write was slow, off the event loop (libuv's pool) with one
 * `writev` in flight per file. Chunks arriving meanwhile are batched into the next call, so a slow
 * disk costs memory up to the high-water mark (then back-pressure), never a blocked daemon.
 *
 * @example
 * const out = createLogWriter({ path: logFilePath(logsDir, 'api', 'info') });
 * child.stdout.on('data', (chunk) => { if (!out.write(chunk)) { child.stdout.pause(); out.once('drain', () => child.stdout.resume()); } });
 */
export function createLogWriter(options: LogWriterOptions): LogWriter {
  return new QueuedLogWriter(normalise(options));
}

type Normalised = Required<Omit<LogWriterOptions, 'onError'>> & Pick<LogWriterOptions, 'onError'>;

function normalise(options: LogWriterOptions): Normalised {
  const {
    path,
    maxBytes = 10 * 1024 * 1024,
    keep = 5,
    highWaterMark = 1024 * 1024,
    syncMaxBytes = 256 * 1024,
  } = options;
  const maxLineBytes = options.maxLineBytes ?? Math.max(maxBytes, 1024 * 1024);
  if (typeof path !== 'string' || path === '') {
    throw new TypeError(`log writer path must be a non-empty string, received ${String(path)}`);
  }
  if (!Number.isInteger(maxBytes) || maxBytes < 1) {
    throw new TypeError(`maxBytes must be a positive integer, received ${maxBytes}`);
  }
  if (!Number.isInteger(keep) || keep < 0) {
    throw new TypeError(`keep must be an integer ≥ 0, received ${keep}`);
  }
  return {
    path,
    maxBytes,
    keep,
    highWaterMark,
    syncMaxBytes,
    maxLineBytes,
    access: options.access ?? PRIVATE_LOGS,
    now: options.now ?? Date.now,
    onError: options.onError,
  };
}

class QueuedLogWriter extends EventEmitter implements LogWriter {
  readonly path: string;
  readonly #options: Normalised;
  readonly #framer;
  #fd: number;
  /** Size the file will have once the queue is written: decides rotations at queue time. */
  #size: number;
  #queue: AppendStep[] = [];
  #queuedBytes = 0;
  #stepsQueued = 0;
  #stepsDone = 0;
  #flushWaiters: Array<{ target: number; resolve: () => void }> = [];
  #pumping = false;
  /** monotonicMs() before which writes stay asynchronous (a synchronous one was slow). */
  #asyncUntil = 0;
  /** True while queued bytes are views of the shared scratch buffer. */
  #holdsScratch = false;
  #needDrain = false;
  #closed = false;
  #closing: Promise<void> | null = null;
  #firstError: GuvError | null = null;

  constructor(options: Normalised) {
    super();
    this.path = options.path;
    this.#options = options;
    this.#framer = createLineFramer(options.now, options.maxLineBytes);
    try {
      ensureLogFolder(dirname(options.path), options.access);
      this.#fd = openLogFile(options.path, options.access);
      this.#size = fstatSync(this.#fd).size;
    } catch (cause) {
      throw new GuvError('GUV_LOG_OPEN_FAILED', `cannot open log file ${options.path}`, { cause });
    }
  }

  write(chunk: Buffer): boolean {
    this.#assertOpen();
    // Framing into the shared scratch (no allocation, memory the CPU has cached) pays off when
    // the lines go out at once: only with nothing queued. Until they are written, nobody reuses it.
    const scratch = this.#pumping || this.#options.syncMaxBytes === 0 ? null : borrowScratch();
    const lines = this.#framer.frame(chunk, scratch);
    if (lines) this.#enqueue(lines);
    if (scratch) {
      if (this.#pumping) this.#holdsScratch = true;
      else returnScratch();
    }
    return this.#belowHighWater();
  }

  writeRecord(message: string, time = this.#options.now()): boolean {
    this.#assertOpen();
    const prefix = timePrefix(time);
    this.#enqueue(Buffer.from(prefix + message.split(/\r?\n/).join('\n' + prefix) + '\n'));
    return this.#belowHighWater();
  }

  flush(): Promise<void> {
    const target = this.#stepsQueued;
    if (this.#stepsDone >= target) return Promise.resolve();
    return new Promise((resolve) => this.#flushWaiters.push({ target, resolve }));
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const partial = this.#framer.takePartial();
    if (partial) this.#enqueue(partial);
    this.#closed = true;
    await this.flush();
    if (this.#fd >= 0) await closeAsync(this.#fd).catch((e) => this.#fail('close', e));
    this.#fd = -1;
    if (this.#firstError && !this.#options.onError) throw this.#firstError;
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error(`log writer for ${this.path} is closed`);
  }

  #belowHighWater(): boolean {
    if (this.#queuedBytes < this.#options.highWaterMark) return true;
    this.#needDrain = true;
    return false;
  }

  #enqueue(lines: Buffer): void {
    const plan = planAppend(lines, this.#size, this.#options.maxBytes);
    this.#size = plan.size;
    for (const step of plan.steps) {
      this.#queue.push(step);
      if (step !== 'rotate') this.#queuedBytes += step.length;
    }
    this.#stepsQueued += plan.steps.length;
    if (!this.#pumping) void this.#pump();
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    while (this.#queue.length > 0) {
      if (this.#queue[0] === 'rotate') {
        this.#queue.shift();
        this.#rotate();
        this.#stepDone(1);
        continue;
      }
      let count = 0;
      while (count < this.#queue.length && count < MAX_IOV && this.#queue[count] !== 'rotate')
        count++;
      const batch = this.#queue.splice(0, count) as Buffer[];
      let bytes = 0;
      for (const buffer of batch) bytes += buffer.length;
      if (!this.#writeNow(batch, bytes)) await this.#writeAll(batch);
      this.#queuedBytes -= bytes;
      this.#stepDone(count);
    }
    this.#pumping = false;
    if (this.#holdsScratch) {
      this.#holdsScratch = false;
      returnScratch();
    }
    if (this.#needDrain) {
      this.#needDrain = false;
      this.emit('drain');
    }
  }

  /** Writes `batch` synchronously when that is cheap; false when it must go through the pool. */
  #writeNow(batch: Buffer[], bytes: number): boolean {
    if (bytes > this.#options.syncMaxBytes) return false;
    const started = monotonicMs();
    if (started < this.#asyncUntil) return false;
    let pending = batch;
    try {
      while (pending.length > 0) pending = dropWritten(pending, writevSync(this.#fd, pending));
    } catch (error) {
      this.#fail('write', error);
    }
    const ended = monotonicMs();
    if (ended - started > SLOW_SYNC_MS) this.#asyncUntil = ended + ASYNC_AFTER_SLOW_MS;
    return true;
  }

  async #writeAll(buffers: Buffer[]): Promise<void> {
    let pending = buffers;
    try {
      while (pending.length > 0) {
        const { bytesWritten } = await writevAsync(this.#fd, pending);
        pending = dropWritten(pending, bytesWritten);
      }
    } catch (error) {
      this.#fail('write', error);
    }
  }

  /** Renames first, then swaps files: the old one is complete (no write in flight) when renamed. */
  #rotate(): void {
    const old = this.#fd;
    try {
      rotateFiles(this.path, this.#options.keep);
    } catch (error) {
      this.#fail('rotate', error);
    }
    try {
      this.#fd = openLogFile(this.path, this.#options.access);
      if (old >= 0) closeSync(old);
    } catch (error) {
      this.#fail('reopen', error);
    }
  }

  #stepDone(count: number): void {
    this.#stepsDone += count;
    if (this.#flushWaiters.length === 0) return;
    const done = this.#flushWaiters.filter((w) => w.target <= this.#stepsDone);
    this.#flushWaiters = this.#flushWaiters.filter((w) => w.target > this.#stepsDone);
    for (const waiter of done) waiter.resolve();
  }

  #fail(operation: string, cause: unknown): void {
    const error = new GuvError(
      'GUV_LOG_WRITE_FAILED',
      `cannot ${operation} log file ${this.path}`,
      {
        cause,
      },
    );
    this.#firstError ??= error;
    this.#options.onError?.(error);
  }
}

/** Milliseconds on the monotonic clock (the global `performance` loads node:perf_hooks, ~10 modules). */
function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** The buffers still to write after `written` bytes of `buffers` went out. */
function dropWritten(buffers: Buffer[], written: number): Buffer[] {
  let index = 0;
  while (index < buffers.length && written >= buffers[index]!.length) {
    written -= buffers[index]!.length;
    index++;
  }
  const rest = buffers.slice(index);
  if (written > 0 && rest.length > 0) rest[0] = rest[0]!.subarray(written);
  return rest;
}

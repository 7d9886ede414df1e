import { pathToFileURL } from 'node:url';
import type Tinypool from 'tinypool';
import { GuvError } from '../errors.js';
import type { SearchLogTask, SummariseHeapTask } from './heavy-worker.js';
import type { LogSearchOptions, LogSearchResult } from './log-search.js';
import type { HeapScan } from './snapshot-scan.js';
import { resolveHeavyWorkerPath } from './worker-path.js';

export interface HeavyWorkPoolOptions {
  /** The pool (and its thread) is destroyed after this long without work. Default 30 s. */
  idleMs?: number;
  /** Default 1: heavy jobs queue rather than take both cores from the apps. */
  maxThreads?: number;
  /** A job running longer is aborted and its thread terminated. Default 5 min. */
  timeoutMs?: number;
  /** The worker's V8 old-space cap, in MB. Default 256. */
  maxOldGenerationSizeMb?: number;
  /** The compiled worker module; found with `resolveHeavyWorkerPath()` on first use by default. */
  workerPath?: string;
  /**
   * Where the work runs: a worker thread (default) or a child process. The daemon uses a child
   * process: it runs with V8 tuned for a small footprint (no TurboFan, see daemon/main.ts), flags
   * a worker thread would share, and a summary's memory then never counts against the daemon.
   */
  runtime?: 'worker_threads' | 'child_process';
}

export interface HeavyWorkPool {
  /** Top constructors by self size of a `.heapsnapshot`, with totals and the worker's peak heap. */
  summariseHeap(path: string, options?: { top?: number; timeoutMs?: number }): Promise<HeapScan>;
  /** Lines of a log file whose message matches `pattern`. */
  searchLog(
    path: string,
    pattern: RegExp,
    options?: LogSearchOptions & { timeoutMs?: number },
  ): Promise<LogSearchResult>;
  /** Whether a worker pool exists right now (false until first use and after going idle). */
  readonly active: boolean;
  destroy(): Promise<void>;
}

/**
 * Heavy work off the daemon's event loop, on one tinypool worker thread that exists only while
 * there is work: created on the first job, destroyed `idleMs` after the last.
 *
 * @example
 * const heavy = createHeavyWorkPool();
 * const scan = await heavy.summariseHeap('/tmp/api.heapsnapshot', { top: 10 });
 * const found = await heavy.searchLog('/var/log/guvnor/api/err.log', /timeout/i, { limit: 50 });
 * await heavy.destroy();
 */
export function createHeavyWorkPool(options: HeavyWorkPoolOptions = {}): HeavyWorkPool {
  const idleMs = options.idleMs ?? 30_000;
  const defaultTimeoutMs = options.timeoutMs ?? 5 * 60_000;
  let pool: Tinypool | null = null;
  let running = 0;
  let idleTimer: NodeJS.Timeout | null = null;

  async function poolNow(): Promise<Tinypool> {
    if (idleTimer) {
      clearTimeout(idleTimer);
      idleTimer = null;
    }
    if (pool) return pool;
    // Imported on first use: the daemon is a CommonJS bundle and tinypool an ES module.
    const { default: TinypoolClass } = await import('tinypool');
    // Another run may have made the pool while this one waited for the import.
    pool ??= new TinypoolClass({
      filename: pathToFileURL(options.workerPath ?? resolveHeavyWorkerPath()).href,
      minThreads: 0,
      maxThreads: options.maxThreads ?? 1,
      idleTimeout: idleMs,
      ...(options.runtime === 'child_process'
        ? {
            runtime: 'child_process' as const,
            execArgv: [`--max-old-space-size=${options.maxOldGenerationSizeMb ?? 256}`],
          }
        : { resourceLimits: { maxOldGenerationSizeMb: options.maxOldGenerationSizeMb ?? 256 } }),
    });
    return pool;
  }

  async function run<T>(name: string, task: object, what: string, timeoutMs: number): Promise<T> {
    running++;
    try {
      return (await (
        await poolNow()
      ).run(task, { name, signal: AbortSignal.timeout(timeoutMs) })) as T;
    } catch (cause) {
      if ((cause as Error).name === 'AbortError' || (cause as Error).name === 'TimeoutError') {
        throw new GuvError('GUV_HEAVY_WORK_TIMEOUT', `${what} took longer than ${timeoutMs} ms`, {
          cause,
        });
      }
      if (cause instanceof GuvError) throw cause;
      throw new GuvError('GUV_HEAVY_WORK_FAILED', `${what} failed: ${(cause as Error).message}`, {
        cause,
      });
    } finally {
      running--;
      if (running === 0 && pool) {
        idleTimer = setTimeout(() => void destroy(), idleMs);
        idleTimer.unref();
      }
    }
  }

  async function destroy(): Promise<void> {
    if (idleTimer) {
      clearTimeout(idleTimer);
      idleTimer = null;
    }
    const current = pool;
    pool = null;
    await current?.destroy();
  }

  return {
    summariseHeap(path, { top = 20, timeoutMs = defaultTimeoutMs } = {}) {
      const task: SummariseHeapTask = { path, top };
      return run('summariseHeap', task, `summarising ${path}`, timeoutMs);
    },
    searchLog(path, pattern, { timeoutMs = defaultTimeoutMs, ...search } = {}) {
      const task: SearchLogTask = { path, source: pattern.source, flags: pattern.flags, ...search };
      return run('searchLog', task, `searching ${path}`, timeoutMs);
    },
    get active() {
      return pool !== null;
    },
    destroy,
  };
}

/**
 * The heavy-work pool's worker module (tinypool loads it by file name; each export is a task
 * named by `run(task, { name })`). Runs on a worker thread, so blocking reads are fine here.
 */
import { setPriority } from 'node:os';
import { type LogSearchOptions, type LogSearchResult, searchLogFile } from './log-search.js';
import { type HeapScan, scanHeapSnapshot } from './snapshot-scan.js';

const WORKER_NICE = 10;

// On Linux, setpriority(PRIO_PROCESS, 0) renices the calling thread only: this worker yields the
// CPU to the daemon's thread and to the apps. Elsewhere it would renice the whole daemon.
if (process.platform === 'linux') {
  try {
    setPriority(WORKER_NICE);
  } catch {
    // Not allowed here: run at the daemon's priority.
  }
}

export interface SummariseHeapTask {
  path: string;
  top: number;
}

export function summariseHeap(task: SummariseHeapTask): HeapScan {
  const scan = scanHeapSnapshot(task.path);
  return { ...scan, constructors: scan.constructors.slice(0, task.top) };
}

export interface SearchLogTask extends LogSearchOptions {
  path: string;
  /** A RegExp crosses threads as its source and flags. */
  source: string;
  flags: string;
}

export function searchLog(task: SearchLogTask): LogSearchResult {
  const { path, source, flags, ...options } = task;
  return searchLogFile(path, new RegExp(source, flags), options);
}

/**
 * The heavy-work pool's worker module (tinypool loads it by file name; each export is a task
 * named by `run(task, { name })`). Runs on a worker thread, so blocking reads are fine here.
 */
import { type LogSearchOptions, type LogSearchResult, searchLogFile } from './log-search.js';
import { type HeapScan, scanHeapSnapshot } from './snapshot-scan.js';

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

export { createHeavyWorkPool, type HeavyWorkPool, type HeavyWorkPoolOptions } from './pool.js';
export type { LogMatch, LogSearchOptions, LogSearchResult } from './log-search.js';
export { searchLogFile } from './log-search.js';
export type { HeapConstructorSummary, HeapScan } from './snapshot-scan.js';
export { scanHeapSnapshot, summariseHeapSnapshot } from './snapshot-scan.js';
export { resolveHeavyWorkerPath } from './worker-path.js';

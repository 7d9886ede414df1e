// Written out, not built from the level: the event map's literal names are what the compiler
// and the events doc check.

export const LOG_EVENT = {
  info: 'process:log:info',
  warn: 'process:log:warn',
  error: 'process:log:error',
  debug: 'process:log:debug',
} as const;
export const CLUSTER_LOG_EVENT = {
  info: 'cluster:log:info',
  warn: 'cluster:log:warn',
  error: 'cluster:log:error',
  debug: 'cluster:log:debug',
} as const;
export const WORKER_LOG_EVENT = {
  info: 'worker:log:info',
  warn: 'worker:log:warn',
  error: 'worker:log:error',
  debug: 'worker:log:debug',
} as const;

/** Every event that carries a child's output line: watched by anyone, the lines are wanted. */
export const OUTPUT_EVENTS = [
  ...Object.values(LOG_EVENT),
  ...Object.values(CLUSTER_LOG_EVENT),
  ...Object.values(WORKER_LOG_EVENT),
] as const;

import type { GuvEventName } from '../bus/events.js';

/**
 * The bus events that change what the process list shows. Subscribed by exact name: the
 * `process:*` pattern would also bring every log line of every process across the socket.
 */
export const LIFECYCLE_EVENTS: readonly GuvEventName[] = [
  'process:starting',
  'process:forked',
  'process:failed',
  'process:started',
  'process:errored',
  'process:ready',
  'process:stopping',
  'process:uncaughtexception',
  'process:exit',
  'process:restarted',
  'process:aborted',
  'process:restarting',
  'process:stopped',
  'process:paused',
  'process:unresponsive',
  'cluster:starting',
  'cluster:ready',
  'cluster:failed',
  'cluster:online',
  'cluster:stopping',
  'cluster:stopped',
  'cluster:resized',
  'cluster:reloading',
  'cluster:reloaded',
  'cluster:restarting',
  'cluster:aborted',
  'worker:new',
  'worker:starting',
  'worker:started',
  'worker:ready',
  'worker:stopping',
  'worker:exit',
  'worker:stopped',
  'worker:failed',
  'worker:errored',
  'worker:uncaughtexception',
  'worker:restarting',
  'worker:aborted',
  'app:installed',
  'app:removed',
  'app:refs:switched',
  'app:failed',
];

/** Every log line of every process, cluster and worker (not the daemon's own). */
export const LOG_PATTERNS = ['process:log:*', 'cluster:log:*', 'worker:log:*'] as const;

import type { GuvEventName } from '../bus/events.js';

/**
 * The bus events that change what the process list shows. Subscribed by exact name: the
 * `process:*` pattern would also bring every log line of every process across the socket.
 */
export const LIFECYCLE_EVENTS: readonly GuvEventName[] = [
  ...(['starting', 'forked', 'failed', 'started', 'errored', 'ready', 'stopping'] as const).map(
    (s) => `process:${s}` as const,
  ),
  ...(['uncaughtexception', 'exit', 'restarted', 'aborted', 'restarting', 'stopped'] as const).map(
    (s) => `process:${s}` as const,
  ),
  'process:paused',
  'process:unresponsive',
  ...(['starting', 'ready', 'failed', 'online', 'stopping', 'stopped', 'resized'] as const).map(
    (s) => `cluster:${s}` as const,
  ),
  ...(['reloading', 'reloaded', 'restarting', 'aborted'] as const).map(
    (s) => `cluster:${s}` as const,
  ),
  ...(['new', 'starting', 'started', 'ready', 'stopping', 'exit', 'stopped'] as const).map(
    (s) => `worker:${s}` as const,
  ),
  ...(['failed', 'errored', 'uncaughtexception', 'restarting', 'aborted'] as const).map(
    (s) => `worker:${s}` as const,
  ),
  'app:installed',
  'app:removed',
  'app:refs:switched',
  'app:failed',
];

/** Every log line of every process, cluster and worker (not the daemon's own). */
export const LOG_PATTERNS = ['process:log:*', 'cluster:log:*', 'worker:log:*'] as const;

import type { BusEvent } from '../../bus/events.js';
import type { SerializedError } from '../../types/info.js';
import { processInfo } from './info.js';
import type { SupervisionContext } from './supervision-context.js';

type C = SupervisionContext;
type E = SerializedError;

/**
 * How one supervision chart names its bus events: the same transitions publish `process:*`
 * events with (processInfo, …) or `worker:*` events with (clusterInfo, workerInfo, …).
 */
export interface LifecycleEvents {
  starting(c: C): BusEvent;
  forked(c: C): BusEvent;
  failed(c: C, error: E): BusEvent;
  started(c: C): BusEvent;
  errored(c: C, error: E): BusEvent;
  ready(c: C): BusEvent;
  stopping(c: C): BusEvent;
  uncaughtexception(c: C, error: E): BusEvent;
  fatality(c: C): BusEvent;
  exit(c: C, error: E | null, code: number | null, signal: string | null): BusEvent;
  restarted(c: C): BusEvent;
  aborted(c: C, error: E): BusEvent;
  restarting(c: C, delayMs: number): BusEvent;
  stopped(c: C): BusEvent;
  paused(c: C): BusEvent;
  unresponsive(c: C): BusEvent;
  /** A warning of guv's about the run (`--wait-ready` given up at the listen timeout). */
  warn(c: C, message: string): BusEvent;
}

export const processLifecycleEvents: LifecycleEvents = {
  starting: (c) => ({ type: 'process:starting', args: [processInfo(c)] }),
  forked: (c) => ({ type: 'process:forked', args: [processInfo(c)] }),
  failed: (c, error) => ({ type: 'process:failed', args: [processInfo(c), error] }),
  started: (c) => ({ type: 'process:started', args: [processInfo(c)] }),
  errored: (c, error) => ({ type: 'process:errored', args: [processInfo(c), error] }),
  ready: (c) => ({ type: 'process:ready', args: [processInfo(c)] }),
  stopping: (c) => ({ type: 'process:stopping', args: [processInfo(c)] }),
  uncaughtexception: (c, error) => ({
    type: 'process:uncaughtexception',
    args: [processInfo(c), error],
  }),
  fatality: (c) => ({ type: 'process:fatality', args: [processInfo(c)] }),
  exit: (c, error, code, signal) => ({
    type: 'process:exit',
    args: [processInfo(c), error, code, signal],
  }),
  restarted: (c) => ({ type: 'process:restarted', args: [processInfo(c)] }),
  aborted: (c, error) => ({ type: 'process:aborted', args: [processInfo(c), error] }),
  restarting: (c, delayMs) => ({ type: 'process:restarting', args: [processInfo(c), delayMs] }),
  stopped: (c) => ({ type: 'process:stopped', args: [processInfo(c)] }),
  paused: (c) => ({ type: 'process:paused', args: [processInfo(c)] }),
  unresponsive: (c) => ({ type: 'process:unresponsive', args: [processInfo(c)] }),
  warn: (c, message) => ({
    type: 'process:log:warn',
    args: [processInfo(c), { date: c.clock.now(), message }],
  }),
};

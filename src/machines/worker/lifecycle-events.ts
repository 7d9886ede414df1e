import type { LifecycleEvents } from '../process/lifecycle-events.js';
import { clusterInfoOf, workerInfo } from './info.js';

export const workerLifecycleEvents: LifecycleEvents = {
  starting: (c) => ({ type: 'worker:starting', args: [clusterInfoOf(c), workerInfo(c)] }),
  forked: (c) => ({ type: 'worker:forked', args: [clusterInfoOf(c), workerInfo(c)] }),
  failed: (c, error) => ({ type: 'worker:failed', args: [clusterInfoOf(c), workerInfo(c), error] }),
  started: (c) => ({ type: 'worker:started', args: [clusterInfoOf(c), workerInfo(c)] }),
  errored: (c, error) => ({
    type: 'worker:errored',
    args: [clusterInfoOf(c), workerInfo(c), error],
  }),
  ready: (c) => ({ type: 'worker:ready', args: [clusterInfoOf(c), workerInfo(c)] }),
  stopping: (c) => ({ type: 'worker:stopping', args: [clusterInfoOf(c), workerInfo(c)] }),
  uncaughtexception: (c, error) => ({
    type: 'worker:uncaughtexception',
    args: [clusterInfoOf(c), workerInfo(c), error],
  }),
  fatality: (c) => ({ type: 'worker:fatality', args: [clusterInfoOf(c), workerInfo(c)] }),
  // guvnor's worker:exit carries no error argument.
  exit: (c, _error, code, signal) => ({
    type: 'worker:exit',
    args: [clusterInfoOf(c), workerInfo(c), code, signal],
  }),
  restarted: (c) => ({ type: 'worker:restarted', args: [clusterInfoOf(c), workerInfo(c)] }),
  aborted: (c, error) => ({
    type: 'worker:aborted',
    args: [clusterInfoOf(c), workerInfo(c), error],
  }),
  restarting: (c, delayMs) => ({
    type: 'worker:restarting',
    args: [clusterInfoOf(c), workerInfo(c), delayMs],
  }),
  stopped: (c) => ({ type: 'worker:stopped', args: [clusterInfoOf(c), workerInfo(c)] }),
  paused: (c) => ({ type: 'worker:paused', args: [clusterInfoOf(c), workerInfo(c)] }),
  unresponsive: (c) => ({ type: 'worker:unresponsive', args: [clusterInfoOf(c), workerInfo(c)] }),
  warn: (c, message) => ({
    type: 'worker:log:warn',
    args: [clusterInfoOf(c), workerInfo(c), { date: c.clock.now(), message }],
  }),
};

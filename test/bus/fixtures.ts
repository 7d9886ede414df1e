import type {
  ClusterInfo,
  LogRecord,
  ProcessInfo,
  SerializedError,
  WorkerInfo,
} from '../../src/types/info.js';

export const processInfo: ProcessInfo = {
  id: 'p1',
  name: 'web',
  script: '/srv/web.js',
  pid: 4242,
  status: 'running',
  restarts: 0,
  startedAt: 1_700_000_000_000,
};

export const clusterInfo: ClusterInfo = { ...processInfo, id: 'c1', name: 'api', instances: 2 };

export const workerInfo: WorkerInfo = {
  id: 'c1.0',
  index: 0,
  name: 'api#0',
  pid: 4343,
  status: 'running',
  restarts: 1,
  startedAt: 1_700_000_000_500,
};

export const error: SerializedError = { name: 'Error', message: 'boom' };

export const log: LogRecord = { date: 1_700_000_001_000, message: 'hello' };

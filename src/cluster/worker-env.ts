import {
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_ORPHAN_KILL_MS,
  WRAPPER_ENV,
} from '../actors/wrapper/protocol.js';
import type { ProcessSpec } from '../machines/process/child-protocol.js';
import { WORKER_INDEX_ENV } from './protocol.js';

export interface WorkerEnvOptions {
  heartbeatMs?: number;
  orphanKillMs?: number;
}

/** What a worker gets on top of the manager's environment: the wrapper's settings and its slot. */
export function workerEnv(
  workerId: string,
  index: number,
  spec: ProcessSpec,
  options: WorkerEnvOptions = {},
): Record<string, string> {
  const env: Record<string, string> = {
    [WRAPPER_ENV.id]: workerId,
    [WRAPPER_ENV.heartbeatMs]: String(options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS),
    [WRAPPER_ENV.orphanKillMs]: String(options.orphanKillMs ?? DEFAULT_ORPHAN_KILL_MS),
  };
  if (spec.appReadiness) env[WRAPPER_ENV.appReadiness] = '1';
  for (const name of WORKER_INDEX_ENV) env[name] = String(index);
  return env;
}

/** The slot index in a worker id: `<clusterId>.<index>` or `<clusterId>.<index>.<serial>`. */
export function workerIndexOf(clusterId: string, workerId: string): number {
  const rest = workerId.startsWith(`${clusterId}.`) ? workerId.slice(clusterId.length + 1) : '';
  const digits = rest.split('.')[0] ?? '';
  const index = Number(digits);
  if (!/^\d+$/.test(digits)) {
    throw new TypeError(`"${workerId}" is not a worker id of cluster ${clusterId}`);
  }
  return index;
}

import { NO_TRIGGERS } from '../process/triggers.js';
import { NO_FAILURES, resolveRestartPolicy } from '../restart-policy.js';
import type { WorkerInput } from '../worker/machine.js';
import type { ClusterContext, ClusterInput, WorkerRecord } from './cluster-types.js';
import { clusterInfo } from './worker-records.js';

/** What a worker chart of this cluster is spawned with. */
export function workerInput(context: ClusterContext, record: WorkerRecord): WorkerInput {
  return {
    id: record.id,
    index: record.index,
    spec: context.spec,
    policy: context.policy,
    timeouts: context.timeouts,
    clock: context.clock,
    cluster: clusterInfo(context),
    // Watch and cron reload the whole cluster; each worker minds its own memory.
    triggers: { ...NO_TRIGGERS, maxMemoryBytes: context.triggers.maxMemoryBytes },
  };
}

export function createClusterContext(input: ClusterInput): ClusterContext {
  if (!Number.isInteger(input.instances) || input.instances < 1) {
    throw new TypeError(
      `cluster instances must be an integer ≥ 1, received ${String(input.instances)}`,
    );
  }
  return {
    id: input.id,
    name: input.name,
    spec: input.spec,
    instances: input.instances,
    clock: input.clock,
    policy: input.policy,
    timeouts: input.timeouts,
    reloadWaitsForListening: input.reloadWaitsForListening ?? false,
    reloadTimeoutMs: input.reloadTimeoutMs ?? 60_000,
    managerReadyTimeoutMs: input.managerReadyTimeoutMs ?? 30_000,
    historyLimit: input.historyLimit,
    restartPolicy: resolveRestartPolicy(input.policy),
    failure: NO_FAILURES,
    runStartedAt: null,
    verdict: null,
    restarts: input.restarts ?? 0,
    serves: false,
    lastReload: null,
    pid: null,
    status: 'uninitialised',
    startedAt: null,
    slots: [],
    incoming: null,
    retiring: [],
    reloadQueue: [],
    serial: 1,
    lastError: null,
    retired: [],
    state: 'uninitialised',
    history: [],
    triggers: input.triggers ?? NO_TRIGGERS,
    cronNextAt: null,
    watching: false,
    changedPath: null,
    reloadReason: null,
    adopting: false,
    adoptedWorkers: [],
    lostWorkers: [],
  };
}

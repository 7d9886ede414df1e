import type { ChildFacts } from '../keeper/protocol.js';
import type { AdoptedWorker, ClusterContext } from '../machines/cluster/cluster-types.js';
import { readProcStat } from '../procfs/proc-stat.js';
import { isSameProcessAlive } from '../procfs/process-identity.js';

/** What the daemon keeps with a cluster's manager in the keeper (`note`), for the next daemon. */
export interface KeptClusterMeta {
  restarts: number;
  /** Restarts of each live worker, by worker id. */
  workers: Record<string, number>;
}

/** The meta of a cluster now: its manager's restarts and each slot's worker's. */
export function keptClusterMeta(context: ClusterContext): KeptClusterMeta {
  const workers: Record<string, number> = {};
  for (const slot of context.slots) workers[slot.id] = slot.restarts;
  return { restarts: context.restarts, workers };
}

/**
 * Whether (`pid`, `startTime`) still runs and is a child of `managerPid`: the slots come from
 * the manager's own word (it runs as the app's user), so a pid it named that is not its own
 * worker is never adopted.
 */
export function isWorkerOf(managerPid: number) {
  return (pid: number, startTime: string | null): boolean =>
    isSameProcessAlive(pid, startTime) && readProcStat(pid)?.[1] === String(managerPid);
}

/**
 * The workers of a kept manager a new daemon adopts: those the keeper tracked (from the
 * manager's own `forked`/`exit` messages) that still run as the same process, one per slot,
 * with the restarts the last daemon noted. A slot left out gets a new worker.
 */
export function adoptedWorkers(
  facts: ChildFacts,
  isAlive: (pid: number, startTime: string | null) => boolean,
  instances: number,
): AdoptedWorker[] {
  const meta = (facts.meta ?? {}) as Partial<KeptClusterMeta>;
  const restarts = meta.workers && typeof meta.workers === 'object' ? meta.workers : {};
  const bySlot = new Map<number, AdoptedWorker>();
  for (const worker of facts.workers) {
    if (worker.slot >= instances || bySlot.has(worker.slot)) continue;
    if (worker.startTime === null || !isAlive(worker.pid, worker.startTime)) continue;
    const counted = Object.hasOwn(restarts, worker.workerId) ? restarts[worker.workerId] : 0;
    bySlot.set(worker.slot, {
      workerId: worker.workerId,
      index: worker.slot,
      pid: worker.pid,
      startedAt: facts.spawnedAt,
      restarts: Number.isSafeInteger(counted) && (counted as number) >= 0 ? (counted as number) : 0,
    });
  }
  return [...bySlot.values()];
}

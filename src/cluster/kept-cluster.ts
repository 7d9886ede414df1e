import type { ChildFacts } from '../keeper/protocol.js';
import type {
  AdoptedWorker,
  ClusterContext,
  LostWorker,
} from '../machines/cluster/cluster-types.js';
import { readProcStat } from '../procfs/proc-stat.js';
import { isSameProcessAlive } from '../procfs/process-identity.js';
import { processStartedAt } from '../procfs/start-epoch.js';

/** What the daemon keeps with a cluster's manager in the keeper (`note`), for the next daemon. */
export interface KeptClusterMeta {
  restarts: number;
  /** Restarts of each slot's worker, by worker id. */
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
 * with the restarts the last daemon noted and their own start (the keeper's fork time, else
 * their /proc start time, via `startedAtOf`). A slot left out gets a new worker.
 */
export function adoptedWorkers(
  facts: ChildFacts,
  isAlive: (pid: number, startTime: string | null) => boolean,
  instances: number,
  startedAtOf: (startTime: string | null) => number | null = processStartedAt,
): AdoptedWorker[] {
  const restarts = notedRestarts(facts);
  const bySlot = new Map<number, AdoptedWorker>();
  for (const worker of facts.workers) {
    if (worker.slot >= instances || bySlot.has(worker.slot)) continue;
    if (worker.startTime === null || !isAlive(worker.pid, worker.startTime)) continue;
    const forkedAt = isEpoch(worker.forkedAt) ? worker.forkedAt : startedAtOf(worker.startTime);
    bySlot.set(worker.slot, {
      workerId: worker.workerId,
      index: worker.slot,
      pid: worker.pid,
      startedAt: forkedAt ?? facts.spawnedAt,
      restarts: restarts.get(worker.workerId) ?? 0,
    });
  }
  return [...bySlot.values()];
}

/**
 * The slots below the target whose worker, as the last daemon noted it, is not among the
 * `adopted`: it died while no daemon ran (or before the daemon that saw it die restarted it).
 * Each is a crash of its slot: with the restarts noted and the exit the keeper kept, if any.
 */
export function lostWorkers(
  facts: ChildFacts,
  adopted: readonly AdoptedWorker[],
  instances: number,
): LostWorker[] {
  const held = new Set(adopted.map((worker) => worker.index));
  const exits = new Map((facts.workerExits ?? []).map((exit) => [exit.workerId, exit]));
  const bySlot = new Map<number, LostWorker>();
  for (const [workerId, restarts] of notedRestarts(facts)) {
    const index = slotOf(facts.childId, workerId);
    if (index === null || index >= instances || held.has(index) || bySlot.has(index)) continue;
    const exit = exits.get(workerId);
    bySlot.set(index, {
      workerId,
      index,
      restarts,
      code: exit?.code ?? null,
      signal: exit?.signal ?? null,
      startedAt: exit && isEpoch(exit.forkedAt) ? exit.forkedAt : null,
    });
  }
  return [...bySlot.values()].sort((a, b) => a.index - b.index);
}

/** The restarts of each worker the last daemon noted, those that are counts. */
function notedRestarts(facts: ChildFacts): Map<string, number> {
  const meta = (facts.meta ?? {}) as Partial<KeptClusterMeta>;
  const noted = meta.workers && typeof meta.workers === 'object' ? meta.workers : {};
  const counts = new Map<string, number>();
  for (const [workerId, restarts] of Object.entries(noted)) {
    counts.set(workerId, Number.isSafeInteger(restarts) && restarts >= 0 ? restarts : 0);
  }
  return counts;
}

/** `<cluster id>.<slot>` or `<cluster id>.<slot>.<serial>` (worker-records.ts), else null. */
function slotOf(clusterId: string, workerId: string): number | null {
  const match = /^(\d{1,5})(?:\.\d{1,15})?$/.exec(workerId.slice(clusterId.length + 1));
  if (!workerId.startsWith(`${clusterId}.`) || !match) return null;
  return Number(match[1]);
}

function isEpoch(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) > 0;
}

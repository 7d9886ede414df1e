import { GuvError } from '../errors.js';
import type { WorkerState } from '../cluster/cluster-view.js';
import type { MethodHandlers } from '../protocol/methods.js';
import type { ProcessSummary, WorkerSummary } from '../protocol/replies.js';
import type { RpcContext } from '../rpc/server.js';
import type { createCpuMeter } from '../procfs/proc-stats.js';
import type { Supervised } from '../supervision/supervised.js';

export type { WorkerSummary };

export interface ClusterMethodDeps {
  timeoutMs: number;
  /** Resolves the `target` parameter (id, name or pid). */
  target(params: unknown): Supervised;
  /** The summary `list` would print for it, after the operation. */
  summary(supervised: Supervised): ProcessSummary;
  /** The answer to a reload: the summary, with the outcome of a single process's restart. */
  answer(supervised: Supervised): Promise<ProcessSummary>;
}

/** Workers with their live figures. */
export function workerSummaries(
  workers: readonly WorkerState[],
  cpu: ReturnType<typeof createCpuMeter>,
): WorkerSummary[] {
  return workers.map((worker) => {
    const figures = worker.pid === null ? null : cpu.measure(worker.pid, worker.startedAt);
    return {
      ...worker,
      cpu: figures?.cpu ?? null,
      memory: figures?.memory ?? null,
      uptime:
        worker.startedAt === null || worker.pid === null ? null : Date.now() - worker.startedAt,
    };
  });
}

/** `reload` and `resize`: a single process is restarted by `reload` (as pm2 does) and refuses `resize`. */
export function createClusterMethods(
  deps: ClusterMethodDeps,
): MethodHandlers<'reload' | 'resize', RpcContext> {
  return {
    /** A rolling reload; answers once every worker was replaced, fails when a new one could not start. */
    reload: async (params) => {
      const supervised = deps.target(params);
      // Each new worker has the reload timeout; the request as a whole may take one per slot.
      const slots = supervised.definition.instances ?? 1;
      await supervised.reload(deps.timeoutMs * Math.max(1, slots));
      return deps.answer(supervised);
    },
    /** `{ target, instances }`: sets the worker count and waits until exactly that many run. */
    resize: async (params) => {
      const supervised = deps.target(params);
      const instances = (params as { instances?: unknown }).instances;
      if (typeof instances !== 'number' || !Number.isInteger(instances)) {
        throw new GuvError('GUV_BAD_ARGUMENT', '"instances" must be a whole number');
      }
      await supervised.resize(instances, deps.timeoutMs);
      return deps.summary(supervised);
    },
  };
}

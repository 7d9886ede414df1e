import { GuvError } from '../errors.js';
import type { MethodHandlers } from '../protocol/methods.js';
import type { ProcessSummary, WorkerSummary } from '../protocol/replies.js';
import type { RpcContext } from '../rpc/server.js';
import type { createCpuMeter } from './proc-stats.js';
import type { ManagedCluster, ProcessTable } from './process-table.js';

export type { WorkerSummary };

export interface ClusterMethodDeps {
  table: ProcessTable;
  cpu: ReturnType<typeof createCpuMeter>;
  timeoutMs: number;
  /** Resolves the `target` parameter (id, name or pid). */
  target(params: unknown): ReturnType<ProcessTable['get']>;
  /** The summary `list` would print for the cluster, after the operation. */
  summary(cluster: ManagedCluster): ProcessSummary;
}

export function clusterOf(managed: ReturnType<ProcessTable['get']>): ManagedCluster {
  if (managed.kind !== 'cluster') {
    throw new GuvError(
      'GUV_NOT_A_CLUSTER',
      `${managed.definition.name} is a single process, not a cluster (start it with -i <n>)`,
    );
  }
  return managed;
}

/** The workers of a cluster with their live figures. */
export function workerSummaries(
  cluster: ManagedCluster,
  cpu: ReturnType<typeof createCpuMeter>,
): WorkerSummary[] {
  return cluster.workers().map((worker) => {
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

/** `reload` and `resize`: the operations only clusters have. */
export function createClusterMethods(
  deps: ClusterMethodDeps,
): MethodHandlers<'reload' | 'resize', RpcContext> {
  return {
    /** A rolling reload; answers once every worker was replaced, fails when a new one could not start. */
    reload: async (params) => {
      const cluster = clusterOf(deps.target(params));
      // Each new worker has the reload timeout; the request as a whole may take one per slot.
      const slots = cluster.definition.instances ?? 1;
      await cluster.reload(deps.timeoutMs * Math.max(1, slots));
      return deps.summary(cluster);
    },
    /** `{ target, instances }`: sets the worker count and waits until exactly that many run. */
    resize: async (params) => {
      const cluster = clusterOf(deps.target(params));
      const instances = (params as { instances?: unknown }).instances;
      if (typeof instances !== 'number' || !Number.isInteger(instances)) {
        throw new GuvError('GUV_BAD_ARGUMENT', '"instances" must be a whole number');
      }
      await cluster.resize(instances, deps.timeoutMs);
      return deps.summary(cluster);
    },
  };
}

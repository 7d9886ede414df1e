import type { ClusterInfo, WorkerInfo } from '../../types/info.js';
import type { SupervisionContext, WorkerSlot } from '../process/supervision-context.js';

/** A worker's name: its cluster's name and its slot, `web#0` (`#` is never in a process name). */
export function workerName(clusterName: string, index: number): string {
  return `${clusterName}#${index}`;
}

/** The WorkerInfo every `worker:*` event carries, built from chart context. */
export function workerInfo(context: SupervisionContext): WorkerInfo {
  return {
    id: context.id,
    index: slotOf(context).index,
    name: context.name,
    pid: context.pid,
    status: context.status,
    restarts: context.restarts,
    startedAt: context.startedAt,
  };
}

/** The cluster's info as last told to the worker (input, then CLUSTER.UPDATED). */
export function clusterInfoOf(context: SupervisionContext): ClusterInfo {
  return slotOf(context).cluster;
}

function slotOf(context: SupervisionContext): WorkerSlot {
  if (context.worker === null) throw new TypeError(`${context.id} is not a cluster worker`);
  return context.worker;
}

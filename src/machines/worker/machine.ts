import type { ClusterInfo } from '../../types/info.js';
import {
  createSupervisionContext,
  type SupervisionInputBase,
} from '../process/supervision-context.js';
import { createSupervisionMachine } from '../process/supervision-machine.js';
import { workerName } from './info.js';
import { workerLifecycleEvents } from './lifecycle-events.js';

/** Input of the worker chart: a process input plus its slot in the cluster. */
export interface WorkerInput extends SupervisionInputBase {
  /** 0-based slot index (`NODE_APP_INSTANCE`). */
  index: number;
  /** The cluster's info at spawn time; send CLUSTER.UPDATED when it changes. */
  cluster: ClusterInfo;
}

/**
 * The chart of one cluster worker: the process chart publishing `worker:*` events with
 * (clusterInfo, workerInfo, …), which also sends its parent a WORKER.STATUS on each status change.
 */
export const workerMachine = createSupervisionMachine({
  id: 'worker',
  events: workerLifecycleEvents,
  context: (input: WorkerInput) =>
    createSupervisionContext(input, workerName(input.cluster.name, input.index), {
      index: input.index,
      cluster: input.cluster,
    }),
});

export type WorkerMachine = typeof workerMachine;

import { GuvError } from '../errors.js';
import type { LiveTarget } from '../supervision/supervised.js';
import type { WorkerState } from './cluster-view.js';
import type { ManagerLink } from './manager-link.js';
import type { WorkerReplies } from './worker-replies.js';

/**
 * The live-command targets of a cluster: one per running worker, reached through the
 * manager. Workers read no input: `write` says so.
 */
export function workerTargets(
  clusterName: string,
  workers: readonly WorkerState[],
  link: ManagerLink,
  replies: WorkerReplies,
): LiveTarget[] {
  return workers
    .filter((worker) => worker.pid !== null)
    .map((worker) => ({
      worker: worker.index,
      pid: worker.pid as number,
      send: async (event, args) =>
        (await replies.request(worker.id, { type: 'send', event, args })) === true,
      signal: (signal) => link.signal(worker.id, signal),
      write: () => {
        throw new GuvError(
          'GUV_NOT_SUPPORTED',
          `${clusterName} is a cluster: its workers read no input`,
        );
      },
      gc: async () => {
        await replies.request(worker.id, { type: 'gc' });
      },
      heapdump: async (path) =>
        (await replies.request(worker.id, { type: 'heapdump', path })) as string,
    }));
}

import type { SnapshotFrom } from 'xstate';
import { GuvError } from '../errors.js';
import type { ClusterMachine } from '../machines/cluster/cluster-machine.js';
import { allWorkers } from '../machines/cluster/worker-records.js';
import type { HistoryEntry } from '../machines/history.js';
import type { SupervisionContext } from '../machines/process/supervision-context.js';
import { workerInfo, workerName } from '../machines/worker/info.js';
import type { ProcessStatus, WorkerInfo } from '../types/info.js';

/** Read-only views of a cluster chart's snapshot, and the outcomes its requests wait for. */

export type ClusterSnapshot = SnapshotFrom<ClusterMachine>;

/** One worker as `guv list` and `info` show it. */
export interface WorkerState extends WorkerInfo {
  /** The serving worker of its slot, a reload's new one, or one being retired. */
  role: 'serving' | 'incoming' | 'retiring';
}

/** The chart's state in one word: starting, ready, online, reloading, stopping, or its status. */
export function chartState(snapshot: ClusterSnapshot): string {
  if (!snapshot.matches('managed')) return snapshot.context.status;
  if (snapshot.matches({ managed: 'starting' })) return 'starting';
  if (snapshot.matches({ managed: 'stopping' })) return 'stopping';
  if (snapshot.matches({ managed: { active: { operation: 'reloading' } } })) return 'reloading';
  return snapshot.matches({ managed: { active: { health: 'online' } } }) ? 'online' : 'ready';
}

/** The chart of one worker the cluster owns, or null. */
export function workerContext(
  snapshot: ClusterSnapshot,
  workerId: string,
): SupervisionContext | null {
  const child = (snapshot.children as Record<string, { getSnapshot(): unknown } | undefined>)[
    workerId
  ];
  const childSnapshot = child?.getSnapshot() as { context?: SupervisionContext } | undefined;
  return childSnapshot?.context ?? null;
}

/** The history of the serving worker of slot `index` (`guv why <p> --worker <index>`). */
export function workerHistoryOf(
  snapshot: ClusterSnapshot,
  index: number,
): { id: string; history: HistoryEntry[] } {
  const { slots, name } = snapshot.context;
  const record = slots[index];
  const chart = record && workerContext(snapshot, record.id);
  if (!chart) {
    throw new GuvError(
      'GUV_WORKER_NOT_FOUND',
      `${name} has no worker ${index} (it has ${slots.length})`,
    );
  }
  return { id: chart.id, history: chart.history };
}

/** Cluster states in which the cluster takes RESIZE and RELOAD. */
const IDLE = { managed: { active: { operation: 'idle' } } } as const;

/** Throws unless the cluster runs and no reload or resize is under way. */
export function assertIdle(snapshot: ClusterSnapshot, what: string): void {
  const { name } = snapshot.context;
  if (!snapshot.matches('managed')) {
    throw new GuvError('GUV_PROCESS_NOT_RUNNING', `${name} is not running`);
  }
  if (!snapshot.matches(IDLE)) {
    throw new GuvError('GUV_BUSY', `cannot ${what} ${name} while it is ${chartState(snapshot)}`);
  }
}

/** Every worker the cluster owns now, serving ones first, by slot. */
export function workerStates(snapshot: ClusterSnapshot): WorkerState[] {
  const { context } = snapshot;
  const roles = new Map<string, WorkerState['role']>([
    ...context.slots.map((w) => [w.id, 'serving'] as const),
    ...(context.incoming ? [[context.incoming.id, 'incoming'] as const] : []),
    ...context.retiring.map((w) => [w.id, 'retiring'] as const),
  ]);
  return allWorkers(context).map((record) => {
    const chart = workerContext(snapshot, record.id);
    const worker = chart
      ? workerInfo(chart)
      : { ...record, name: workerName(context.name, record.index), startedAt: null };
    return {
      id: worker.id,
      index: worker.index,
      name: worker.name,
      pid: worker.pid,
      status: worker.status,
      restarts: worker.restarts,
      startedAt: worker.startedAt,
      role: roles.get(record.id) ?? 'serving',
    };
  });
}

/** Slot statuses that mean a start will not reach online without further failures. */
const SLOT_DOWN: ReadonlySet<ProcessStatus> = new Set(['restarting', 'failed', 'aborted']);
/** Cluster statuses a start answers with: it will not be online soon. */
const START_ENDED: ReadonlySet<ProcessStatus> = new Set([
  'restarting',
  'aborted',
  'failed',
  'stopped',
]);

/** A start settles once the cluster is online, or once it is clear it will not be soon. */
export function startOutcome(snapshot: ClusterSnapshot): true | undefined {
  const { context } = snapshot;
  const settled =
    chartState(snapshot) === 'online' ||
    START_ENDED.has(context.status) ||
    context.slots.some((worker) => SLOT_DOWN.has(worker.status));
  return settled ? true : undefined;
}

export function stopOutcome(snapshot: ClusterSnapshot): true | undefined {
  return snapshot.context.status === 'stopped' ? true : undefined;
}

/** A resize settles once exactly the target runs, or the cluster stopped running. */
export function resizeOutcome(snapshot: ClusterSnapshot): true | undefined {
  if (!snapshot.matches({ managed: 'active' })) return true;
  return chartState(snapshot) === 'online' && snapshot.context.retiring.length === 0
    ? true
    : undefined;
}

/** A reload settles when it ended; it fails with GUV_RELOAD_FAILED (old workers kept). */
export function reloadOutcome(snapshot: ClusterSnapshot): true | undefined {
  const { context } = snapshot;
  if (!snapshot.matches({ managed: 'active' })) {
    throw new GuvError(
      'GUV_RELOAD_FAILED',
      `${context.name} went ${chartState(snapshot)} during the reload`,
    );
  }
  if (context.lastReload === 'reload-failed') {
    throw new GuvError(
      'GUV_RELOAD_FAILED',
      `reload of ${context.name} failed: ${context.lastError?.message ?? 'unknown error'}`,
    );
  }
  return context.lastReload === 'reloaded' ? true : undefined;
}

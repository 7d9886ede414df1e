import type { ClusterInfo, ProcessStatus, SerializedError, WorkerInfo } from '../../types/info.js';
import type { WorkerStatusEvent } from '../process/supervision-events.js';
import { workerName } from '../worker/info.js';
import type { AdoptedWorker, ClusterContext, WorkerRecord } from './cluster-types.js';

/** Pure bookkeeping of the cluster's worker records; the chart applies the results. */

export function clusterInfo(context: ClusterContext): ClusterInfo {
  return {
    id: context.id,
    name: context.name,
    script: context.spec.script,
    pid: context.pid,
    status: context.status,
    restarts: context.restarts,
    startedAt: context.startedAt,
    instances: context.instances,
  };
}

/** A worker as its `worker:new` event shows it: not started yet. */
export function newWorkerInfo(context: ClusterContext, record: WorkerRecord): WorkerInfo {
  return {
    id: record.id,
    index: record.index,
    name: workerName(context.name, record.index),
    pid: record.pid,
    status: record.status,
    restarts: record.restarts,
    startedAt: null,
  };
}

/** Every worker the cluster still owns: serving, incoming and retiring. */
export function allWorkers(context: ClusterContext): WorkerRecord[] {
  return [...context.slots, ...(context.incoming ? [context.incoming] : []), ...context.retiring];
}

/** A fresh record for `index`, with an id no live worker uses. */
export function newRecord(
  context: ClusterContext,
  index: number,
): { record: WorkerRecord; serial: number } {
  const base = `${context.id}.${index}`;
  const taken = allWorkers(context).some((worker) => worker.id === base);
  const id = taken ? `${base}.${context.serial}` : base;
  return {
    record: {
      id,
      index,
      status: 'uninitialised',
      pid: null,
      restarts: 0,
      listening: false,
      broken: false,
    },
    serial: taken ? context.serial + 1 : context.serial,
  };
}

/**
 * The record of a worker the keeper kept (ADOPT), or of one that died while no daemon ran (no
 * pid): its own id, which the manager knows it by; the serial moves past it so no later worker
 * takes that id.
 */
export function adoptedRecord(
  context: ClusterContext,
  kept: Pick<AdoptedWorker, 'workerId' | 'index' | 'restarts'> & { pid: number | null },
): { record: WorkerRecord; serial: number } {
  const suffix = Number(kept.workerId.slice(`${context.id}.${kept.index}.`.length));
  const serial =
    kept.workerId.startsWith(`${context.id}.${kept.index}.`) && Number.isSafeInteger(suffix)
      ? Math.max(context.serial, suffix + 1)
      : context.serial;
  return {
    record: {
      id: kept.workerId,
      index: kept.index,
      status: 'uninitialised',
      pid: kept.pid,
      restarts: kept.restarts,
      listening: false,
      broken: false,
    },
    serial,
  };
}

/** Applies a WORKER.STATUS report to whichever record it is about. */
export function applyStatus(
  context: ClusterContext,
  report: WorkerStatusEvent,
): Pick<ClusterContext, 'slots' | 'incoming' | 'retiring'> {
  const update = (worker: WorkerRecord): WorkerRecord =>
    worker.id !== report.workerId
      ? worker
      : {
          ...worker,
          status: report.status,
          pid: report.pid,
          restarts: report.restarts,
          // A new process has to listen again.
          listening: report.status === 'starting' ? false : worker.listening,
        };
  return {
    slots: context.slots.map(update),
    incoming: context.incoming && update(context.incoming),
    retiring: context.retiring.map(update),
  };
}

/** A worker whose chart actor crashed: failed, with no actor behind it any more. */
export function markBroken(
  context: ClusterContext,
  workerId: string,
): Pick<ClusterContext, 'slots' | 'incoming' | 'retiring'> {
  const mark = (worker: WorkerRecord): WorkerRecord =>
    worker.id === workerId ? { ...worker, status: 'failed', pid: null, broken: true } : worker;
  return {
    slots: context.slots.map(mark),
    incoming: context.incoming && mark(context.incoming),
    retiring: context.retiring.filter((worker) => worker.id !== workerId),
  };
}

/** A worker listens; from now on a reload waits for each new worker to listen too. */
export function markListening(context: ClusterContext, workerId: string) {
  const mark = (worker: WorkerRecord) =>
    worker.id === workerId ? { ...worker, listening: true } : worker;
  return {
    slots: context.slots.map(mark),
    incoming: context.incoming && mark(context.incoming),
    serves: true,
  };
}

/** The cluster is online when every slot up to the target has a running worker. */
export function everyWorkerRunning(context: ClusterContext): boolean {
  return (
    context.slots.length === context.instances &&
    context.slots.every((worker) => worker.status === 'running')
  );
}

/**
 * Every slot's worker gave up (aborted by its restart policy) and no other worker is on its way:
 * nothing serves, and nothing will unless asked.
 */
export function everySlotAborted(context: ClusterContext): boolean {
  return (
    context.slots.length === context.instances &&
    context.slots.every((worker) => worker.status === 'aborted') &&
    context.incoming === null &&
    context.retiring.length === 0
  );
}

/** How many workers are serving or about to: what a reload must never let drop below the target. */
export function runningCount(context: ClusterContext): number {
  return [...context.slots, ...(context.incoming ? [context.incoming] : [])].filter(
    (worker) => worker.status === 'running',
  ).length;
}

export function incomingIsReady(context: ClusterContext): boolean {
  const worker = context.incoming;
  return (
    worker !== null &&
    worker.status === 'running' &&
    // An app that never listens must still reload: until one worker listened, ready is enough.
    (!context.reloadWaitsForListening || !context.serves || worker.listening)
  );
}

/** Statuses that mean a new worker went down before it ever served. */
const FAILED_START: readonly ProcessStatus[] = [
  'errored',
  'restarting',
  'failed',
  'aborted',
  'stopped',
];

export function incomingHasFailed(context: ClusterContext): boolean {
  return context.incoming !== null && FAILED_START.includes(context.incoming.status);
}

export function reloadFailure(context: ClusterContext, timedOut: boolean): SerializedError {
  const worker = context.incoming;
  const what = worker ? `new worker ${worker.id} for slot ${worker.index}` : 'new worker';
  return timedOut
    ? {
        name: 'GuvError',
        code: 'GUV_RELOAD_TIMEOUT',
        message: `${what} was not ready within ${context.reloadTimeoutMs} ms; old workers kept`,
      }
    : {
        name: 'GuvError',
        code: 'GUV_RELOAD_FAILED',
        message: `${what} went ${worker?.status ?? 'away'} before it was running; old workers kept`,
      };
}

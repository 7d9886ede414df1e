import { assign, type EventObject, enqueueActions, fromCallback, not, setup } from 'xstate';
import type { BusEvent } from '../../bus/events.js';
import { GuvError } from '../../errors.js';
import type { SerializedError } from '../../types/info.js';
import { recordState } from '../daemon/chart-history.js';
import { serializeError } from '../process/serialize-error.js';
import type { SupervisionCommand } from '../process/supervision-events.js';
import { workerMachine } from '../worker/machine.js';
import { createClusterContext, workerInput } from './cluster-context.js';
import type {
  ClusterContext,
  ClusterEvent,
  ClusterInput,
  ClusterState,
  ManagerInput,
  WorkerRecord,
} from './cluster-types.js';
import {
  allWorkers,
  applyStatus,
  clusterInfo,
  everyWorkerRunning,
  incomingHasFailed,
  incomingIsReady,
  markBroken,
  markListening,
  newRecord,
  newWorkerInfo,
  reloadFailure,
} from './worker-records.js';

const managerNotProvided = fromCallback<EventObject, ManagerInput>(({ input }) => {
  throw new GuvError(
    'GUV_ACTOR_NOT_PROVIDED',
    `no manager actor for cluster ${input.id}: provide one with clusterMachine.provide({ actors: { manager } })`,
  );
});

type SiblingAction =
  | { type: 'publish'; params: BusEvent }
  | { type: 'record'; params: { state: ClusterState } }
  | { type: 'retire'; params: { workers: WorkerRecord[] } };

/**
 * `enqueue(sibling(action))` inside a setup-level enqueueActions: TypeScript cannot see the
 * sibling actions there (setup's types are still being inferred), hence this one checked cast.
 */
function sibling(action: SiblingAction): never {
  return action as never;
}

const ACTOR_ERROR = 'xstate.error.actor.';

const START: SupervisionCommand = { type: 'START', by: 'cluster' };
const STOP: SupervisionCommand = { type: 'STOP', by: 'cluster' };

/**
 * A cluster manager and its workers: starting → ready (manager up) → online (every worker
 * running), and back to ready while a worker is down; resize; rolling reload; stopping →
 * stopped; failed. Each worker is a child actor of the `worker` logic (the worker chart) that
 * reports to this chart with WORKER.STATUS. Bind real effects with `provideCluster`.
 *
 * @example
 * const cluster = createActor(provideCluster({ manager, child, publish }), {
 *   input: { id: 'web', name: 'web', spec, instances: 4, clock: { now: Date.now } },
 * }).start();
 * cluster.send({ type: 'RELOAD' });
 */
export const clusterMachine = setup({
  types: {
    input: {} as ClusterInput,
    context: {} as ClusterContext,
    events: {} as ClusterEvent,
  },
  actors: { manager: managerNotProvided, worker: workerMachine },
  actions: {
    publish: (_, _event: BusEvent) => {
      throw new GuvError(
        'GUV_ACTION_NOT_PROVIDED',
        `the cluster chart's "publish" action was not provided`,
      );
    },
    record: assign(({ context, event }, params: { state: ClusterState }) =>
      recordState(context, event, params.state),
    ),
    /** Spawns and starts a worker for every slot up to the target that has none. */
    spawnMissingWorkers: enqueueActions(({ context, enqueue }) => {
      let next = context;
      for (let index = context.slots.length; index < context.instances; index += 1) {
        const { record, serial } = newRecord(next, index);
        next = { ...next, slots: [...next.slots, record], serial };
        enqueue.spawnChild('worker', { id: record.id, input: workerInput(next, record) });
        enqueue.sendTo(record.id, START);
        enqueue(
          sibling({
            type: 'publish',
            params: { type: 'worker:new', args: [clusterInfo(next), newWorkerInfo(record)] },
          }),
        );
      }
      enqueue.assign({ slots: next.slots, serial: next.serial });
    }),
    /** Tells every worker the cluster's info changed, so its events carry the new one. */
    tellWorkers: enqueueActions(({ context, enqueue }) => {
      const clusterInfoNow = clusterInfo(context);
      for (const worker of allWorkers(context)) {
        if (worker.broken) continue;
        enqueue.sendTo(worker.id, { type: 'CLUSTER.UPDATED', clusterInfo: clusterInfoNow });
      }
    }),
    /** Stops workers gracefully; those already stopped are dropped at once. */
    retire: enqueueActions(({ context, enqueue }, params: { workers: WorkerRecord[] }) => {
      const keep: WorkerRecord[] = [];
      for (const worker of params.workers) {
        if (worker.status === 'stopped' || worker.broken) {
          enqueue.stopChild(worker.id);
        } else {
          enqueue.sendTo(worker.id, STOP);
          keep.push(worker);
        }
      }
      enqueue.assign({ retiring: [...context.retiring, ...keep] });
    }),
    applyReport: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'WORKER.STATUS') return;
      const next = applyStatus(context, event);
      const gone = next.retiring.filter((worker) => worker.status === 'stopped');
      for (const worker of gone) enqueue.stopChild(worker.id);
      enqueue.assign({
        ...next,
        retiring: next.retiring.filter((worker) => worker.status !== 'stopped'),
      });
    }),
    /** A worker chart threw: keep the cluster alive, count that slot as failed, say why. */
    workerBroke: enqueueActions(({ context, event, enqueue }) => {
      const workerId = event.type.slice(ACTOR_ERROR.length);
      enqueue.stopChild(workerId);
      enqueue.assign(markBroken(context, workerId));
      const error = serializeError((event as { error?: unknown }).error);
      enqueue(
        sibling({
          type: 'publish',
          params: {
            type: 'cluster:log:error',
            args: [
              clusterInfo(context),
              { date: context.clock.now(), message: `worker ${workerId} broke: ${error.message}` },
            ],
          },
        }),
      );
    }),
    dropAllWorkers: enqueueActions(({ context, enqueue }) => {
      for (const worker of allWorkers(context)) enqueue.stopChild(worker.id);
      enqueue.assign({ slots: [], incoming: null, retiring: [], reloadQueue: [] });
    }),
    /** Gives up a reload: the new worker goes, the old ones stay. */
    abandonReload: enqueueActions(({ context, enqueue }, params: { timedOut: boolean }) => {
      const error = reloadFailure(context, params.timedOut);
      enqueue.assign({ incoming: null, reloadQueue: [], lastError: error });
      enqueue(sibling({ type: 'record', params: { state: 'reload-failed' } }));
      if (context.incoming) {
        enqueue(sibling({ type: 'retire', params: { workers: [context.incoming] } }));
      }
      enqueue(
        sibling({
          type: 'publish',
          params: { type: 'cluster:reload:failed', args: [clusterInfo(context), error] },
        }),
      );
    }),
    rememberError: assign({ lastError: (_, params: { error: SerializedError }) => params.error }),
  },
  guards: {
    everyWorkerRunning: ({ context }) => everyWorkerRunning(context),
    validResize: ({ event }) =>
      event.type === 'RESIZE' && Number.isInteger(event.instances) && event.instances >= 1,
    reloadQueueEmpty: ({ context }) => context.reloadQueue.length === 0,
    incomingIsReady: ({ context }) => incomingIsReady(context),
    incomingHasFailed: ({ context }) => incomingHasFailed(context),
    isWorkerError: ({ event }) =>
      event.type.startsWith(ACTOR_ERROR) && event.type !== `${ACTOR_ERROR}manager`,
    noWorkersLeft: ({ context }) => allWorkers(context).length === 0,
  },
  delays: {
    reloadTimeout: ({ context }) => context.reloadTimeoutMs,
  },
}).createMachine({
  id: 'cluster',
  context: ({ input }) => createClusterContext(input),
  initial: 'managed',
  states: {
    // The manager process lives as long as this state: leaving it stops the `manager` actor.
    managed: {
      invoke: {
        id: 'manager',
        src: 'manager',
        input: ({ context }): ManagerInput => ({
          id: context.id,
          name: context.name,
          spec: context.spec,
          instances: context.instances,
        }),
        onError: {
          target: 'failed',
          actions: {
            type: 'rememberError',
            params: ({ event }) => ({ error: serializeError(event.error) }),
          },
        },
      },
      on: {
        'MANAGER.FAILED': {
          target: 'failed',
          actions: { type: 'rememberError', params: ({ event }) => ({ error: event.error }) },
        },
        'WORKER.STATUS': { actions: 'applyReport' },
        // Unhandled, a child's error would take the whole cluster down with it.
        'xstate.error.actor.*': { guard: 'isWorkerError', actions: 'workerBroke' },
        'WORKER.LISTENING': {
          actions: assign(({ context, event }) => markListening(context, event.workerId)),
        },
      },
      initial: 'starting',
      states: {
        starting: {
          entry: [
            {
              type: 'publish',
              params: ({ context }) => ({ type: 'cluster:starting', args: [clusterInfo(context)] }),
            },
          ],
          on: {
            'MANAGER.READY': {
              target: 'active',
              actions: [
                assign(({ context, event }) => ({
                  pid: event.pid,
                  status: 'running' as const,
                  startedAt: context.clock.now(),
                })),
                {
                  type: 'publish',
                  params: ({ context }) => ({
                    type: 'cluster:ready',
                    args: [clusterInfo(context)],
                  }),
                },
              ],
            },
            STOP: 'stopping',
          },
        },
        active: {
          type: 'parallel',
          entry: 'spawnMissingWorkers',
          on: { STOP: 'stopping' },
          states: {
            health: {
              initial: 'ready',
              states: {
                ready: {
                  entry: { type: 'record', params: { state: 'ready' } },
                  always: { guard: 'everyWorkerRunning', target: 'online' },
                },
                online: {
                  entry: [
                    { type: 'record', params: { state: 'online' } },
                    {
                      type: 'publish',
                      params: ({ context }) => ({
                        type: 'cluster:online',
                        args: [clusterInfo(context)],
                      }),
                    },
                  ],
                  always: { guard: not('everyWorkerRunning'), target: 'ready' },
                },
              },
            },
            operation: {
              initial: 'idle',
              states: {
                idle: {
                  on: {
                    RESIZE: {
                      guard: 'validResize',
                      actions: enqueueActions(({ context, event, enqueue }) => {
                        const from = context.instances;
                        const to = event.instances;
                        enqueue.assign({ instances: to });
                        enqueue({
                          type: 'publish',
                          params: {
                            type: 'cluster:resized',
                            args: [clusterInfo({ ...context, instances: to }), from, to],
                          },
                        });
                        enqueue('tellWorkers');
                        if (to > from) enqueue('spawnMissingWorkers');
                        if (to < from) {
                          enqueue.assign({ slots: context.slots.slice(0, to) });
                          enqueue({ type: 'retire', params: { workers: context.slots.slice(to) } });
                        }
                      }),
                    },
                    RELOAD: 'reloading',
                  },
                },
                reloading: {
                  entry: [
                    { type: 'record', params: { state: 'reloading' } },
                    {
                      type: 'publish',
                      params: ({ context }) => ({
                        type: 'cluster:reloading',
                        args: [clusterInfo(context)],
                      }),
                    },
                    assign({
                      reloadQueue: ({ context }) => context.slots.map((worker) => worker.index),
                    }),
                  ],
                  initial: 'next',
                  states: {
                    next: {
                      always: [
                        {
                          guard: 'reloadQueueEmpty',
                          target: '#cluster.managed.active.operation.idle',
                          actions: [
                            { type: 'record', params: { state: 'reloaded' } },
                            {
                              type: 'publish',
                              params: ({ context }) => ({
                                type: 'cluster:reloaded',
                                args: [clusterInfo(context)],
                              }),
                            },
                          ],
                        },
                        {
                          target: 'waiting',
                          actions: enqueueActions(({ context, enqueue }) => {
                            const [index = 0, ...rest] = context.reloadQueue;
                            const { record, serial } = newRecord(context, index);
                            enqueue.assign({ incoming: record, serial, reloadQueue: rest });
                            enqueue.spawnChild('worker', {
                              id: record.id,
                              input: workerInput(context, record),
                            });
                            enqueue.sendTo(record.id, START);
                            enqueue({
                              type: 'publish',
                              params: {
                                type: 'worker:new',
                                args: [clusterInfo(context), newWorkerInfo(record)],
                              },
                            });
                          }),
                        },
                      ],
                    },
                    // One new worker at a time; the old one of its slot serves until it is ready.
                    waiting: {
                      always: [
                        {
                          guard: 'incomingIsReady',
                          target: 'next',
                          actions: enqueueActions(({ context, enqueue }) => {
                            const incoming = context.incoming!;
                            const old = context.slots[incoming.index];
                            enqueue.assign({
                              slots: context.slots.map((worker, index) =>
                                index === incoming.index ? incoming : worker,
                              ),
                              incoming: null,
                            });
                            if (old) enqueue({ type: 'retire', params: { workers: [old] } });
                          }),
                        },
                        {
                          guard: 'incomingHasFailed',
                          target: '#cluster.managed.active.operation.idle',
                          actions: { type: 'abandonReload', params: { timedOut: false } },
                        },
                      ],
                      after: {
                        reloadTimeout: {
                          target: '#cluster.managed.active.operation.idle',
                          actions: { type: 'abandonReload', params: { timedOut: true } },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
        stopping: {
          entry: [
            assign({ status: 'stopping' }),
            { type: 'record', params: { state: 'stopping' } },
            {
              type: 'publish',
              params: ({ context }) => ({ type: 'cluster:stopping', args: [clusterInfo(context)] }),
            },
            'tellWorkers',
            enqueueActions(({ context, enqueue }) => {
              enqueue.assign({ slots: [], incoming: null, reloadQueue: [] });
              enqueue({
                type: 'retire',
                params: {
                  workers: [...context.slots, ...(context.incoming ? [context.incoming] : [])],
                },
              });
            }),
          ],
          always: { guard: 'noWorkersLeft', target: '#cluster.stopped' },
        },
      },
    },
    failed: {
      type: 'final',
      entry: [
        assign({ status: 'failed' }),
        { type: 'record', params: { state: 'failed' } },
        'dropAllWorkers',
        {
          type: 'publish',
          params: ({ context }) => ({
            type: 'cluster:failed',
            args: [clusterInfo(context), context.lastError ?? { name: 'Error', message: 'failed' }],
          }),
        },
      ],
    },
    stopped: {
      type: 'final',
      entry: [
        assign({ status: 'stopped', pid: null }),
        { type: 'record', params: { state: 'stopped' } },
        {
          type: 'publish',
          params: ({ context }) => ({ type: 'cluster:stopped', args: [clusterInfo(context)] }),
        },
      ],
    },
  },
});

export type ClusterMachine = typeof clusterMachine;

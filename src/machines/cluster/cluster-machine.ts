import {
  assertEvent,
  assign,
  type EventObject,
  enqueueActions,
  fromCallback,
  not,
  raise,
  setup,
} from 'xstate';
import type { BusEvent } from '../../bus/events.js';
import { GuvError } from '../../errors.js';
import type { ClusterInfo, SerializedError } from '../../types/info.js';
import { recordState } from '../daemon/chart-history.js';
import type { TransitionCause } from '../history.js';
import type { ChildEvent, WatcherEvent, WatcherInput } from '../process/child-protocol.js';
import { watcherInputOf } from '../process/child-protocol.js';
import { cronWait, triggeredRestart } from '../process/restart-triggers.js';
import { serializeError } from '../process/serialize-error.js';
import type { SupervisionCommand, WorkerStatusEvent } from '../process/supervision-events.js';
import { NO_FAILURES } from '../restart-policy.js';
import { workerMachine } from '../worker/machine.js';
import { createClusterContext, workerInput } from './cluster-context.js';
import type {
  AdoptedWorker,
  ClusterContext,
  ClusterEvent,
  ClusterInput,
  ClusterState,
  ManagerInput,
  LostWorker,
  ManagerVerdict,
  RetiredWorker,
  WorkerRecord,
} from './cluster-types.js';
import { decideAfterManager, everyWorkerAbortedError, restartDelayOf } from './manager-verdict.js';
import {
  adoptedRecord,
  allWorkers,
  applyStatus,
  clusterInfo,
  everySlotAborted,
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

/** The default `watcher` actor: watches nothing (the daemon provides chokidar's). */
const noWatcher = fromCallback<WatcherEvent, WatcherInput>(() => {});

/** A `cluster:log:warn` line: a warning about the cluster itself (its watcher). */
function warning(context: ClusterContext, message: string): BusEvent {
  return {
    type: 'cluster:log:warn',
    args: [clusterInfo(context), { date: context.clock.now(), message }],
  } as BusEvent;
}

/** A reload guv starts itself: watch, cron, or a worker over its memory limit. */
const TRIGGERED_RELOAD = {
  guard: 'reloadTriggered',
  target: '#cluster.managed.active.operation.reloading',
  actions: ['rememberReloadReason', 'scheduleCron'],
} as const;

/** How many retired workers a cluster remembers (`guv why`), at the least. */
const RETIRED_LIMIT = 16;

/** The retired workers to remember: those before, and the ones `report` ended. Newest last. */
function keepRetired(
  context: ClusterContext,
  gone: readonly WorkerRecord[],
  report: WorkerStatusEvent,
): RetiredWorker[] {
  const ended = gone.map((worker) => ({
    id: worker.id,
    index: worker.index,
    history: worker.id === report.workerId ? (report.history ?? []) : [],
  }));
  const limit = Math.max(RETIRED_LIMIT, context.instances * 2);
  return [...context.retired, ...ended].slice(-limit);
}

const START: SupervisionCommand = { type: 'START', by: 'cluster' };

/** What a slot's new worker chart hears: adopt its kept worker, start from its lost one's exit, or start. */
function keptWorkerCommand(
  kept: AdoptedWorker | undefined,
  lost: LostWorker | undefined,
): SupervisionCommand {
  if (kept) {
    const { pid, startedAt, restarts } = kept;
    return { type: 'ADOPT', pid, startedAt, restarts, by: 'daemon' };
  }
  if (lost) {
    const { restarts, code, signal, startedAt } = lost;
    return { type: 'ADOPT.EXITED', restarts, code, signal, startedAt, by: 'daemon' };
  }
  return START;
}
const STOP: SupervisionCommand = { type: 'STOP', by: 'cluster' };
/**
 * What a worker chart hears when its manager died: its process is gone too, since the manager
 * actor kills the manager's whole process group (see ClusterEffects.manager).
 */
const KILLED_WITH_MANAGER: ChildEvent = { type: 'CHILD.EXIT', code: null, signal: 'SIGKILL' };

type InfoOnlyEvent = Extract<BusEvent, { args: [ClusterInfo] }>['type'];

/** The `publish` action of an event whose only argument is the cluster's info. */
const publishInfo = (type: InfoOnlyEvent) =>
  ({
    type: 'publish',
    params: ({ context }: { context: ClusterContext }) =>
      ({ type, args: [clusterInfo(context)] }) as BusEvent,
  }) as const;

/** START from a resting state: a fresh run, its failures forgotten. */
const startAgain = { target: '#cluster.managed', actions: ['resetFailures', 'beginRun'] } as const;
const resizeResting = { guard: 'validResize', actions: 'resizeResting' } as const;
const workersGoneThen = (action: ManagerVerdict['action']) =>
  ({ type: 'workersGoneThen', params: { action } }) as const;

/**
 * A cluster manager and its workers, over the manager's whole life: idle → starting → ready
 * (manager up) → online (every worker running), and back to ready while a worker is down;
 * resize; rolling reload; stopping → stopped. When the manager dies its workers are reported
 * gone (each publishes `worker:exit`), then the restart policy decides: restarting (backoff)
 * → starting again, aborted, or failed. A cluster whose every worker slot aborted is aborted.
 * Each worker is a child actor of the `worker` logic (the worker chart) that reports to this
 * chart with WORKER.STATUS. Bind real effects with `provideCluster`.
 *
 * @example
 * const cluster = createActor(provideCluster({ manager, child, publish }), {
 *   input: { id: 'web', name: 'web', spec, instances: 4, clock: { now: Date.now } },
 * }).start();
 * cluster.send({ type: 'START' });
 * cluster.send({ type: 'RELOAD' });
 */
export const clusterMachine = setup({
  types: {
    input: {} as ClusterInput,
    context: {} as ClusterContext,
    events: {} as ClusterEvent,
  },
  actors: { manager: managerNotProvided, worker: workerMachine, watcher: noWatcher },
  actions: {
    publish: (_, _event: BusEvent) => {
      throw new GuvError(
        'GUV_ACTION_NOT_PROVIDED',
        `the cluster chart's "publish" action was not provided`,
      );
    },
    /** Enters `state` in the history; `cause` adds to (or corrects) what the event tells. */
    record: assign(
      ({ context, event }, params: { state: ClusterState; cause?: Partial<TransitionCause> }) => {
        const recorded = recordState(context, event, params.state);
        const last = recorded.history.at(-1);
        if (last && params.cause) last.cause = { ...last.cause, ...params.cause };
        return recorded;
      },
    ),
    rememberReloadReason: assign(({ context, event }) => {
      if (event.type === 'WORKER.REPLACE')
        return {
          reloadReason: { by: 'memory', restart: `${event.reason} (worker ${event.index})` },
        };
      const restart = triggeredRestart(context, event);
      return { reloadReason: restart && { by: restart.by, restart: restart.reason } };
    }),
    scheduleCron: enqueueActions(({ context, enqueue }) => {
      enqueue.cancel('cron');
      const wait = cronWait(context);
      enqueue.assign({ cronNextAt: wait?.nextAt ?? null });
      if (wait) enqueue.raise({ type: 'CRON.DUE' }, { id: 'cron', delay: wait.delayMs });
    }),
    endTriggers: enqueueActions(({ enqueue }) => {
      enqueue.cancel('cron');
      enqueue.cancel('watchSettle');
      enqueue.assign({ cronNextAt: null, watching: false });
    }),
    debounceChange: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'WATCH.CHANGED' || context.triggers.watch === null) return;
      enqueue.assign({ changedPath: event.path });
      enqueue.cancel('watchSettle');
      enqueue.raise(
        { type: 'WATCH.SETTLED' },
        { id: 'watchSettle', delay: context.triggers.watch.delayMs },
      );
    }),
    /** A run of the manager begins (first start, START again, or a restart after it died). */
    beginRun: assign(({ context }) => ({
      runStartedAt: context.clock.now(),
      pid: null,
      startedAt: null,
      lastError: null,
      verdict: null,
      adopting: false,
      adoptedWorkers: [],
      lostWorkers: [],
    })),
    /** The keeper kept the manager running: this run is that one. */
    adopt: assign(({ event }) => {
      assertEvent(event, 'ADOPT');
      return {
        runStartedAt: event.startedAt,
        pid: event.pid,
        startedAt: event.startedAt,
        status: 'running' as const,
        restarts: event.restarts,
        lastError: null,
        verdict: null,
        adopting: true,
        adoptedWorkers: event.workers,
        lostWorkers: event.lost ?? [],
      };
    }),
    beginRestart: assign(({ context }) => ({ restarts: context.restarts + 1 })),
    resetFailures: assign({ failure: NO_FAILURES }),
    /** The restart policy's word on the manager that just died, read once its workers are gone. */
    judgeManager: assign(({ context }) => decideAfterManager(context)),
    /** Spawns and starts a worker for every slot up to the target that has none. */
    spawnMissingWorkers: enqueueActions(({ context, enqueue }) => {
      let next = context;
      for (let index = context.slots.length; index < context.instances; index += 1) {
        const kept = context.adoptedWorkers.find((worker) => worker.index === index);
        const lost = context.lostWorkers.find((worker) => worker.index === index);
        const known = kept ?? (lost && { ...lost, pid: null });
        const { record, serial } = known ? adoptedRecord(next, known) : newRecord(next, index);
        next = { ...next, slots: [...next.slots, record], serial };
        enqueue.spawnChild('worker', { id: record.id, input: workerInput(next, record) });
        enqueue.sendTo(record.id, keptWorkerCommand(kept, lost));
        enqueue(
          sibling({
            type: 'publish',
            params: {
              type: 'worker:new',
              args: [clusterInfo(next), newWorkerInfo(next, record)],
            },
          }),
        );
      }
      enqueue.assign({
        slots: next.slots,
        serial: next.serial,
        adoptedWorkers: [],
        lostWorkers: [],
      });
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
    /** The manager died: every worker still retiring learns its process died with it. */
    killedWithManager: enqueueActions(({ context, enqueue }) => {
      for (const worker of context.retiring) enqueue.sendTo(worker.id, KILLED_WITH_MANAGER);
    }),
    /** Every worker (none has a process left) is stopped and so reported, then retired. */
    retireAll: enqueueActions(({ context, enqueue }) => {
      enqueue.assign({ slots: [], incoming: null, reloadQueue: [] });
      enqueue(
        sibling({
          type: 'retire',
          params: { workers: [...context.slots, ...(context.incoming ? [context.incoming] : [])] },
        }),
      );
    }),
    applyReport: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'WORKER.STATUS') return;
      const next = applyStatus(context, event);
      const gone = next.retiring.filter((worker) => worker.status === 'stopped');
      for (const worker of gone) enqueue.stopChild(worker.id);
      enqueue.assign({
        ...next,
        retiring: next.retiring.filter((worker) => worker.status !== 'stopped'),
        retired: keepRetired(context, gone, event),
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
    /** Drops workers that have no process (every slot aborted): they said so already. */
    dropAllWorkers: enqueueActions(({ context, enqueue }) => {
      for (const worker of allWorkers(context)) enqueue.stopChild(worker.id);
      enqueue.assign({ slots: [], incoming: null, retiring: [], reloadQueue: [] });
    }),
    /** Gives up a reload: the new worker goes, the old ones stay. */
    abandonReload: enqueueActions(({ context, enqueue }, params: { timedOut: boolean }) => {
      const error = reloadFailure(context, params.timedOut);
      enqueue.assign({
        incoming: null,
        reloadQueue: [],
        lastError: error,
        lastReload: 'reload-failed',
      });
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
    /** RESIZE while no manager runs: the next run starts that many workers. */
    resizeResting: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'RESIZE') return;
      enqueue.assign({ instances: event.instances });
      enqueue(
        sibling({
          type: 'publish',
          params: {
            type: 'cluster:resized',
            args: [
              clusterInfo({ ...context, instances: event.instances }),
              context.instances,
              event.instances,
            ],
          },
        }),
      );
    }),
  },
  guards: {
    reloadTriggered: ({ context, event }) =>
      event.type === 'WORKER.REPLACE'
        ? context.slots[event.index]?.id === event.workerId
        : triggeredRestart(context, event) !== null,
    everyWorkerRunning: ({ context }) => everyWorkerRunning(context),
    everySlotAborted: ({ context }) => everySlotAborted(context),
    validResize: ({ event }) =>
      event.type === 'RESIZE' && Number.isInteger(event.instances) && event.instances >= 1,
    reloadQueueEmpty: ({ context }) => context.reloadQueue.length === 0,
    incomingIsReady: ({ context }) => incomingIsReady(context),
    incomingHasFailed: ({ context }) => incomingHasFailed(context),
    isWorkerError: ({ event }) =>
      event.type.startsWith(ACTOR_ERROR) &&
      event.type !== `${ACTOR_ERROR}manager` &&
      event.type !== `${ACTOR_ERROR}watcher`,
    noWorkersLeft: ({ context }) => allWorkers(context).length === 0,
    /** The dead manager's workers are all gone, and the verdict is `action`. */
    workersGoneThen: ({ context }, params: { action: ManagerVerdict['action'] }) =>
      allWorkers(context).length === 0 && context.verdict?.action === params.action,
  },
  delays: {
    reloadTimeout: ({ context }) => context.reloadTimeoutMs,
    managerReadyTimeout: ({ context }) => context.managerReadyTimeoutMs,
    restartDelay: ({ context }) => restartDelayOf(context),
  },
}).createMachine({
  id: 'cluster',
  context: ({ input }) => createClusterContext(input),
  initial: 'idle',
  // Workers outlive a run of the manager by a moment (`down`): their reports are heard anywhere.
  on: {
    'WORKER.STATUS': { actions: 'applyReport' },
    // Unhandled, a child's error would take the whole cluster down with it.
    'xstate.error.actor.*': { guard: 'isWorkerError', actions: 'workerBroke' },
    'WORKER.LISTENING': {
      actions: assign(({ context, event }) => markListening(context, event.workerId)),
    },
    'SPEC.UPDATED': { actions: assign(({ event }) => ({ spec: event.spec })) },
  },
  states: {
    idle: {
      on: {
        START: { target: 'managed', actions: 'beginRun' },
        // A manager the keeper kept: no `starting`, its workers are rebuilt as they run.
        ADOPT: { target: '#cluster.managed.active', actions: 'adopt' },
        STOP: 'stopped',
        RESIZE: resizeResting,
      },
    },
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
          ...(context.adopting && context.pid !== null ? { adoptPid: context.pid } : {}),
        }),
        // A manager actor that throws is a manager that died.
        onError: {
          actions: raise(({ event }) => ({
            type: 'MANAGER.FAILED' as const,
            error: serializeError(event.error),
          })),
        },
      },
      on: {
        'MANAGER.FAILED': {
          target: 'down',
          actions: [
            { type: 'rememberError', params: ({ event }) => ({ error: event.error }) },
            'judgeManager',
          ],
        },
      },
      initial: 'starting',
      states: {
        starting: {
          entry: [
            assign({ status: 'starting' }),
            { type: 'record', params: { state: 'starting' } },
            publishInfo('cluster:starting'),
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
                publishInfo('cluster:ready'),
              ],
            },
            STOP: 'stopping',
          },
          // A manager that never says it is ready is a manager that failed: leaving `managed`
          // stops its actor, which kills its process group.
          after: {
            managerReadyTimeout: {
              actions: raise(({ context }) => ({
                type: 'MANAGER.FAILED' as const,
                error: {
                  name: 'GuvError',
                  code: 'GUV_TIMEOUT',
                  message: `the cluster manager of ${context.name} was not ready within ${context.managerReadyTimeoutMs} ms`,
                },
              })),
            },
          },
        },
        active: {
          type: 'parallel',
          entry: ['spawnMissingWorkers', 'scheduleCron'],
          exit: 'endTriggers',
          invoke: {
            id: 'watcher',
            src: 'watcher',
            input: ({ context }) => watcherInputOf(context),
            // A broken watcher costs the watching, never the cluster.
            onError: {
              actions: {
                type: 'publish',
                params: ({ context }) => warning(context, 'the file watcher failed: not watching'),
              },
            },
          },
          on: {
            STOP: 'stopping',
            'WATCH.CHANGED': { actions: 'debounceChange' },
            'WATCH.READY': { actions: assign({ watching: true }) },
            'WATCH.FAILED': {
              actions: {
                type: 'publish',
                params: ({ context, event }) => warning(context, `not watching: ${event.message}`),
              },
            },
            // Busy (a reload or resize under way) when the time came: the next time is scheduled.
            'CRON.DUE': { actions: 'scheduleCron' },
          },
          // Nothing serves and nothing will: the workers' policy gave up, so does the cluster.
          always: {
            guard: 'everySlotAborted',
            target: '#cluster.aborted',
            actions: [
              assign(({ context }) => ({
                verdict: { action: 'abort' as const, error: everyWorkerAbortedError(context) },
              })),
              'dropAllWorkers',
            ],
          },
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
                    publishInfo('cluster:online'),
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
                    RELOAD: { target: 'reloading', actions: assign({ reloadReason: null }) },
                    'WORKER.REPLACE': TRIGGERED_RELOAD,
                    'WATCH.SETTLED': TRIGGERED_RELOAD,
                    'CRON.DUE': TRIGGERED_RELOAD,
                  },
                },
                reloading: {
                  entry: [
                    {
                      type: 'record',
                      params: ({ context }) => ({
                        state: 'reloading' as const,
                        ...(context.reloadReason ? { cause: context.reloadReason } : {}),
                      }),
                    },
                    publishInfo('cluster:reloading'),
                    assign({
                      // A worker over its memory limit: its slot alone.
                      reloadQueue: ({ context, event }) =>
                        event.type === 'WORKER.REPLACE'
                          ? [event.index]
                          : context.slots.map((worker) => worker.index),
                      lastReload: null,
                      changedPath: null,
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
                            assign({ lastReload: 'reloaded' }),
                            publishInfo('cluster:reloaded'),
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
                                args: [clusterInfo(context), newWorkerInfo(context, record)],
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
            publishInfo('cluster:stopping'),
            'tellWorkers',
            'retireAll',
          ],
          on: {
            // Stopping all the same: the workers went with their manager.
            'MANAGER.FAILED': {
              actions: [
                { type: 'rememberError', params: ({ event }) => ({ error: event.error }) },
                'killedWithManager',
              ],
            },
          },
          always: { guard: 'noWorkersLeft', target: '#cluster.stopped' },
        },
      },
    },
    // The manager died: each of its workers is stopped and told its process went with it.
    down: {
      entry: [
        assign({ status: 'failed' }),
        { type: 'record', params: { state: 'failed' } },
        {
          type: 'publish',
          params: ({ context }) => ({
            type: 'cluster:failed',
            args: [clusterInfo(context), context.lastError ?? { name: 'Error', message: 'failed' }],
          }),
        },
        assign({ pid: null, startedAt: null }),
        'tellWorkers',
        'retireAll',
        'killedWithManager',
      ],
      on: { STOP: { actions: assign({ verdict: { action: 'stop' } }) } },
      always: [
        { guard: workersGoneThen('restart'), target: 'restarting' },
        { guard: workersGoneThen('abort'), target: 'aborted' },
        { guard: workersGoneThen('stop'), target: 'stopped' },
        { guard: workersGoneThen('fail'), target: 'failed' },
      ],
    },
    restarting: {
      entry: [
        assign({ status: 'restarting' }),
        {
          type: 'record',
          // Entered once the last worker is gone, but the manager's death is the cause.
          params: ({ context }) => ({
            state: 'restarting' as const,
            cause: {
              event: 'MANAGER.FAILED',
              delayMs: restartDelayOf(context),
              failures: context.failure.failures.length,
              ...(context.lastError ? { error: context.lastError.message } : {}),
            },
          }),
        },
        {
          type: 'publish',
          params: ({ context }) => ({
            type: 'cluster:restarting',
            args: [clusterInfo(context), restartDelayOf(context)],
          }),
        },
      ],
      after: { restartDelay: { target: 'managed', actions: ['beginRestart', 'beginRun'] } },
      on: { STOP: 'stopped', RESIZE: resizeResting },
    },
    aborted: {
      entry: [
        assign(({ context }) => ({
          status: 'aborted' as const,
          pid: null,
          startedAt: null,
          lastError:
            context.verdict?.action === 'abort' ? context.verdict.error : context.lastError,
        })),
        {
          type: 'record',
          params: ({ context }) => ({
            state: 'aborted' as const,
            cause: context.lastError ? { error: context.lastError.message } : {},
          }),
        },
        {
          type: 'publish',
          params: ({ context }) => ({
            type: 'cluster:aborted',
            args: [
              clusterInfo(context),
              context.lastError ?? { name: 'GuvError', message: 'aborted' },
            ],
          }),
        },
      ],
      on: { START: startAgain, STOP: 'stopped', RESIZE: resizeResting },
    },
    // The manager died and the policy does not restart it (`cluster:failed` said so).
    failed: {
      on: { START: startAgain, STOP: 'stopped', RESIZE: resizeResting },
    },
    stopped: {
      entry: [
        assign({ status: 'stopped', pid: null, startedAt: null }),
        { type: 'record', params: { state: 'stopped' } },
        publishInfo('cluster:stopped'),
      ],
      on: { START: startAgain, RESIZE: resizeResting },
    },
  },
});

export type ClusterMachine = typeof clusterMachine;

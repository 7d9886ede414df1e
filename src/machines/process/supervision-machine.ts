import { assertEvent, assign, cancel, enqueueActions, fromCallback, sendTo, setup } from 'xstate';
import type { BusEvent } from '../../bus/events.js';
import { GuvError } from '../../errors.js';
import type { ProcessStatus, SerializedError } from '../../types/info.js';
import { appendHistory } from '../history.js';
import { decideAfterExit, NO_FAILURES, type RestartDecision } from '../restart-policy.js';
import type { ChildCommand, ChildInput, WatcherEvent, WatcherInput } from './child-protocol.js';
import { watcherInputOf } from './child-protocol.js';
import type { LifecycleEvents } from './lifecycle-events.js';
import { serializeError } from './serialize-error.js';
import { cronWait, triggeredRestart } from './restart-triggers.js';
import { causeOf } from './supervision-cause.js';
import {
  listenTimeoutWarning,
  type SupervisionContext,
  type SupervisionInputBase,
} from './supervision-context.js';
import type { SupervisionEvent, WorkerStatusEvent } from './supervision-events.js';

export interface SupervisionMachineOptions<TInput extends SupervisionInputBase> {
  /** Machine id, and the namespace of its bus events. */
  id: 'process' | 'worker';
  events: LifecycleEvents;
  context: (input: TInput) => SupervisionContext;
}

/** The default `child` actor: the daemon or a test must provide the real one. */
const childNotProvided = fromCallback<ChildCommand, ChildInput>(({ input }) => {
  throw new GuvError(
    'GUV_ACTOR_NOT_PROVIDED',
    `no child actor for ${input.id}: provide one with machine.provide({ actors: { child } })`,
  );
});

/** The default `watcher` actor: watches nothing (the daemon provides chokidar's). */
const noWatcher = fromCallback<WatcherEvent, WatcherInput>(() => {});

/** A restart guv decides itself: from running or unresponsive, not counted as a failure. */
const TRIGGERED_RESTART = {
  guard: 'restartTriggered',
  target: 'stopping',
  actions: 'restartByTrigger',
} as const;

function exitDecision(context: SupervisionContext, event: SupervisionEvent): RestartDecision {
  assertEvent(event, ['CHILD.EXIT', 'ADOPT.EXITED']);
  return decideAfterExit(context.policy, context.failure, {
    code: event.code,
    signal: event.signal,
    runStartedAt: event.type === 'ADOPT.EXITED' ? event.startedAt : context.runStartedAt,
    now: context.clock.now(),
  });
}

function abortError(message: string): SerializedError {
  return { name: 'GuvError', code: 'GUV_PROCESS_ABORTED', message: `aborted after ${message}` };
}

function startTimeoutError(context: SupervisionContext): SerializedError {
  return {
    name: 'GuvError',
    code: 'GUV_PROCESS_START_TIMEOUT',
    message: `not ready within ${context.timeouts.startMs} ms of starting`,
  };
}

/** How many of a stopped worker's last transitions its cluster keeps (`guv why`). */
const RETIRED_TAIL = 4;

type ExitEvent = { code: number | null; signal: string | null };

/**
 * Builds the supervision chart shared by processes and cluster workers; `options.events`
 * decides which namespace its transitions publish in. Leaf state names are the statuses.
 */
export function createSupervisionMachine<TInput extends SupervisionInputBase>(
  options: SupervisionMachineOptions<TInput>,
) {
  const bus = options.events;
  const publishExit = {
    type: 'publish',
    params: ({ context, event }: { context: SupervisionContext; event: ExitEvent }) =>
      bus.exit(context, context.lastError, event.code, event.signal),
  } as const;
  return setup({
    types: {
      context: {} as SupervisionContext,
      events: {} as SupervisionEvent,
      input: {} as TInput,
    },
    actors: { child: childNotProvided, watcher: noWatcher },
    actions: {
      /** The one effect every transition goes through; the daemon binds it to the bus. */
      publish: (_, _event: BusEvent) => {},
      enter: assign(({ context, event }, params: { status: ProcessStatus }) => ({
        status: params.status,
        history: appendHistory(context.history, {
          time: context.clock.now(),
          from: context.status,
          to: params.status,
          cause: causeOf(event, context, params.status),
        }),
      })),
      reportStatus: enqueueActions(({ context, self, enqueue }) => {
        if (context.worker === null || self._parent === undefined) return;
        const report: WorkerStatusEvent = {
          type: 'WORKER.STATUS',
          workerId: context.id,
          index: context.worker.index,
          status: context.status,
          pid: context.pid,
          restarts: context.restarts,
          ...(context.status === 'stopped'
            ? { history: context.history.slice(-RETIRED_TAIL) }
            : {}),
        };
        enqueue.sendParent(report);
      }),
      requested: assign(({ event }) => ({
        requestedBy: 'by' in event && event.by !== undefined ? event.by : null,
      })),
      resetFailures: assign({ failure: NO_FAILURES, isRestart: false }),
      beginRun: assign(({ context }) => ({
        runStartedAt: context.clock.now(),
        pid: null,
        startedAt: null,
        lastError: null,
        restartRequested: false,
        adopting: false,
        restartReason: null,
        changedPath: null,
      })),
      adopt: assign(({ event }) => {
        assertEvent(event, 'ADOPT');
        return {
          pid: event.pid,
          startedAt: event.startedAt,
          runStartedAt: event.startedAt,
          restarts: event.restarts,
          lastError: null,
          restartRequested: false,
          adopting: true,
        };
      }),
      /** The run that ended while no daemon ran: its counters, no process. */
      adoptExit: assign(({ event }) => {
        assertEvent(event, 'ADOPT.EXITED');
        return { restarts: event.restarts, runStartedAt: event.startedAt, pid: null };
      }),
      beginRestart: assign(({ context }) => ({ restarts: context.restarts + 1, isRestart: true })),
      recordFork: assign(({ context, event }) => {
        assertEvent(event, 'CHILD.FORKED');
        return { pid: event.pid, startedAt: context.clock.now() };
      }),
      rememberError: assign(({ event }) => {
        assertEvent(event, ['CHILD.ERRORED', 'CHILD.FATALITY', 'CHILD.SPAWN_FAILED']);
        return { lastError: event.error };
      }),
      rememberChildCrash: assign(({ event }) => ({
        lastError: serializeError((event as { error?: unknown }).error),
      })),
      rememberStartTimeout: assign(({ context }) => ({ lastError: startTimeoutError(context) })),
      signalGracefully: sendTo(
        'child',
        ({ context }): ChildCommand => ({
          type: 'SIGNAL',
          signal: context.timeouts.killSignal,
        }),
      ),
      kill: sendTo('child', { type: 'SIGNAL', signal: 'SIGKILL' } satisfies ChildCommand),
      endRun: assign({ pid: null, startedAt: null }),
      recordDecision: assign(({ context, event }) => {
        const decision = exitDecision(context, event);
        return {
          failure: decision.state,
          nextDelayMs: decision.action === 'restart' ? decision.delayMs : 0,
          lastError: decision.action === 'abort' ? abortError(decision.message) : context.lastError,
        };
      }),
      restartNow: assign({ nextDelayMs: 0 }),
      watchHeartbeat: enqueueActions(({ context, enqueue }) => {
        enqueue.cancel('heartbeat');
        if (context.timeouts.heartbeatMs > 0) {
          enqueue.raise(
            { type: 'HEARTBEAT.MISSED' },
            { id: 'heartbeat', delay: 'heartbeatTimeout' },
          );
        }
      }),
      unwatchHeartbeat: cancel('heartbeat'),
      restartByTrigger: assign(({ context, event }) => {
        const restart = triggeredRestart(context, event);
        return {
          restartRequested: true,
          requestedBy: restart?.by ?? null,
          restartReason: restart?.reason ?? null,
        };
      }),
      // A worker over its memory limit: its cluster starts a new one before retiring it.
      askReplacement: enqueueActions(({ context, event, self, enqueue }) => {
        const restart = triggeredRestart(context, event);
        if (context.worker === null || self._parent === undefined || restart === null) return;
        enqueue.sendParent({
          type: 'WORKER.REPLACE',
          workerId: context.id,
          index: context.worker.index,
          reason: restart.reason,
        });
      }),
      scheduleCron: enqueueActions(({ context, enqueue }) => {
        enqueue.cancel('cron');
        const wait = cronWait(context);
        enqueue.assign({ cronNextAt: wait?.nextAt ?? null });
        if (wait) enqueue.raise({ type: 'CRON.DUE' }, { id: 'cron', delay: wait.delayMs });
      }),
      endTriggers: enqueueActions(({ enqueue }) => {
        enqueue.cancel('cron');
        enqueue.assign({ cronNextAt: null, watching: false });
      }),
      // Changes within the watch delay of each other make one restart, once they settle.
      debounceChange: enqueueActions(({ context, event, enqueue }) => {
        assertEvent(event, 'WATCH.CHANGED');
        if (context.triggers.watch === null) return;
        enqueue.assign({ changedPath: event.path });
        enqueue.cancel('watchSettle');
        enqueue.raise(
          { type: 'WATCH.SETTLED' },
          { id: 'watchSettle', delay: context.triggers.watch.delayMs },
        );
      }),
    },
    guards: {
      exitRestarts: ({ context, event }) => exitDecision(context, event).action === 'restart',
      exitAborts: ({ context, event }) => exitDecision(context, event).action === 'abort',
      restartRequested: ({ context }) => context.restartRequested,
      restartTriggered: ({ context, event }) => triggeredRestart(context, event) !== null,
      replacementWanted: ({ context, event }) =>
        context.worker !== null && triggeredRestart(context, event) !== null,
      waitsForListenTimeout: ({ context }) =>
        context.spec.appReadiness === true && context.timeouts.listenMs > 0,
    },
    delays: {
      startTimeout: ({ context }) => context.timeouts.startMs,
      killTimeout: ({ context }) => context.timeouts.killMs,
      heartbeatTimeout: ({ context }) => context.timeouts.heartbeatMs,
      listenTimeout: ({ context }) => context.timeouts.listenMs,
      restartDelay: ({ context }) => context.nextDelayMs,
    },
  }).createMachine({
    id: options.id,
    context: ({ input }) => options.context(input),
    initial: 'uninitialised',
    on: {
      'CLUSTER.UPDATED': {
        actions: assign(({ context, event }) => ({
          worker: context.worker && { ...context.worker, cluster: event.clusterInfo },
        })),
      },
      'SPEC.UPDATED': { actions: assign(({ event }) => ({ spec: event.spec })) },
    },
    states: {
      uninitialised: {
        on: {
          START: { target: 'alive', actions: ['requested', 'beginRun'] },
          RESTART: { target: 'alive', actions: ['requested', 'beginRun'] },
          STOP: { target: 'stopped', actions: 'requested' },
          ADOPT: { target: '#running', actions: ['requested', 'adopt'] },
          'ADOPT.EXITED': [
            {
              guard: 'exitRestarts',
              target: 'restarting',
              actions: ['requested', 'adoptExit', 'recordDecision'],
            },
            {
              guard: 'exitAborts',
              target: 'aborted',
              actions: ['requested', 'adoptExit', 'recordDecision'],
            },
            { target: 'stopped', actions: ['requested', 'adoptExit'] },
          ],
        },
      },
      alive: {
        id: 'alive',
        initial: 'booting',
        entry: 'scheduleCron',
        exit: 'endTriggers',
        invoke: [
          {
            id: 'child',
            src: 'child',
            input: ({ context }): ChildInput => ({
              id: context.id,
              spec: context.spec,
              attempt: context.restarts,
              ...(context.adopting && context.pid !== null ? { adoptPid: context.pid } : {}),
            }),
            onError: { target: 'failed', actions: ['rememberChildCrash', 'endRun'] },
          },
          {
            id: 'watcher',
            src: 'watcher',
            input: ({ context }) => watcherInputOf(context),
            // A broken watcher costs the watching, never the process.
            onError: {
              actions: {
                type: 'publish',
                params: ({ context }) => bus.warn(context, 'the file watcher failed: not watching'),
              },
            },
          },
        ],
        on: {
          STOP: { target: '.stopping', actions: 'requested' },
          'WATCH.CHANGED': { actions: 'debounceChange' },
          'WATCH.READY': { actions: assign({ watching: true }) },
          'WATCH.FAILED': {
            actions: {
              type: 'publish',
              params: ({ context, event }) => bus.warn(context, `not watching: ${event.message}`),
            },
          },
          // Not running when the time came (starting, stopping): the next time is scheduled.
          'CRON.DUE': { actions: 'scheduleCron' },
          'CHILD.SPAWN_FAILED': { target: 'failed', actions: ['rememberError', 'endRun'] },
          'CHILD.UNCAUGHT': {
            actions: {
              type: 'publish',
              params: ({ context, event }) => bus.uncaughtexception(context, event.error),
            },
          },
          // As guvnor did: the exception itself, then the news that nothing handled it.
          'CHILD.FATALITY': {
            actions: [
              'rememberError',
              {
                type: 'publish',
                params: ({ context, event }) => bus.uncaughtexception(context, event.error),
              },
              { type: 'publish', params: ({ context }) => bus.fatality(context) },
            ],
          },
          'CHILD.EXIT': [
            {
              guard: 'exitRestarts',
              target: 'restarting',
              actions: [publishExit, 'recordDecision', 'endRun'],
            },
            {
              guard: 'exitAborts',
              target: 'aborted',
              actions: [publishExit, 'recordDecision', 'endRun'],
            },
            { target: 'stopped', actions: [publishExit, 'endRun'] },
          ],
        },
        states: {
          booting: {
            initial: 'starting',
            after: {
              startTimeout: { target: 'errored', actions: ['rememberStartTimeout', 'kill'] },
            },
            on: {
              'CHILD.ERRORED': { target: 'errored', actions: 'rememberError' },
              'CHILD.PAUSED': { target: 'paused' },
            },
            states: {
              starting: {
                entry: [
                  { type: 'enter', params: { status: 'starting' } },
                  'reportStatus',
                  { type: 'publish', params: ({ context }) => bus.starting(context) },
                ],
                on: { 'CHILD.FORKED': { target: 'forked', actions: 'recordFork' } },
              },
              forked: {
                entry: [
                  { type: 'enter', params: { status: 'forked' } },
                  'reportStatus',
                  { type: 'publish', params: ({ context }) => bus.forked(context) },
                ],
                on: {
                  'CHILD.STARTED': { target: 'started' },
                  'CHILD.READY': { target: '#running' },
                },
              },
              started: {
                entry: [
                  { type: 'enter', params: { status: 'started' } },
                  'reportStatus',
                  { type: 'publish', params: ({ context }) => bus.started(context) },
                ],
                on: { 'CHILD.READY': { target: '#running' } },
                // An app that never says ready is treated as ready, with a warning, instead of
                // being killed at the start timeout and restarted in a loop.
                after: {
                  listenTimeout: {
                    guard: 'waitsForListenTimeout',
                    target: '#running',
                    actions: {
                      type: 'publish',
                      params: ({ context }) =>
                        bus.warn(context, listenTimeoutWarning(context.timeouts)),
                    },
                  },
                },
              },
            },
          },
          // Waiting for a debugger: no start timeout here; it starts again once the module loads.
          paused: {
            entry: [
              { type: 'enter', params: { status: 'paused' } },
              'reportStatus',
              { type: 'publish', params: ({ context }) => bus.paused(context) },
            ],
            on: {
              'CHILD.FORKED': { actions: 'recordFork' },
              'CHILD.STARTED': { target: 'booting.started' },
              'CHILD.READY': { target: 'running' },
              'CHILD.ERRORED': { target: 'errored', actions: 'rememberError' },
              RESTART: {
                target: 'stopping',
                actions: ['requested', assign({ restartRequested: true })],
              },
            },
          },
          running: {
            id: 'running',
            entry: [
              { type: 'enter', params: { status: 'running' } },
              'reportStatus',
              { type: 'publish', params: ({ context }) => bus.ready(context) },
              enqueueActions(({ context, enqueue }) => {
                if (context.isRestart) enqueue({ type: 'publish', params: bus.restarted(context) });
                enqueue.assign({ isRestart: false });
              }),
              'watchHeartbeat',
            ],
            exit: 'unwatchHeartbeat',
            on: {
              'CHILD.HEARTBEAT': [
                { guard: 'replacementWanted', actions: ['askReplacement', 'watchHeartbeat'] },
                TRIGGERED_RESTART,
                { actions: 'watchHeartbeat' },
              ],
              'WATCH.SETTLED': TRIGGERED_RESTART,
              'CRON.DUE': TRIGGERED_RESTART,
              'HEARTBEAT.MISSED': { target: 'unresponsive' },
              RESTART: {
                target: 'stopping',
                actions: ['requested', assign({ restartRequested: true })],
              },
            },
          },
          unresponsive: {
            entry: [
              { type: 'enter', params: { status: 'unresponsive' } },
              'reportStatus',
              { type: 'publish', params: ({ context }) => bus.unresponsive(context) },
            ],
            on: {
              'CHILD.HEARTBEAT': [
                { guard: 'replacementWanted', target: 'running', actions: 'askReplacement' },
                TRIGGERED_RESTART,
                { target: 'running' },
              ],
              'WATCH.SETTLED': TRIGGERED_RESTART,
              'CRON.DUE': TRIGGERED_RESTART,
              RESTART: {
                target: 'stopping',
                actions: ['requested', assign({ restartRequested: true })],
              },
            },
          },
          // The start failed (module threw, or no readiness in time); the exit that follows is a failure.
          errored: {
            entry: [
              { type: 'enter', params: { status: 'errored' } },
              'reportStatus',
              {
                type: 'publish',
                params: ({ context }) =>
                  bus.errored(context, context.lastError ?? startTimeoutError(context)),
              },
            ],
            after: { killTimeout: { actions: 'kill' } },
          },
          stopping: {
            entry: [
              { type: 'enter', params: { status: 'stopping' } },
              'reportStatus',
              { type: 'publish', params: ({ context }) => bus.stopping(context) },
              'signalGracefully',
            ],
            after: { killTimeout: { actions: 'kill' } },
            on: {
              STOP: {},
              'CHILD.SPAWN_FAILED': { target: '#stopped', actions: 'endRun' },
              'CHILD.EXIT': [
                {
                  guard: 'restartRequested',
                  target: '#restarting',
                  actions: [publishExit, 'endRun', 'restartNow'],
                },
                { target: '#stopped', actions: [publishExit, 'endRun'] },
              ],
            },
          },
        },
      },
      restarting: {
        id: 'restarting',
        entry: [
          { type: 'enter', params: { status: 'restarting' } },
          'reportStatus',
          {
            type: 'publish',
            params: ({ context }) => bus.restarting(context, context.nextDelayMs),
          },
        ],
        after: { restartDelay: { target: 'alive', actions: ['beginRestart', 'beginRun'] } },
        on: {
          STOP: { target: 'stopped', actions: 'requested' },
          RESTART: { target: 'alive', actions: ['requested', 'beginRestart', 'beginRun'] },
        },
      },
      stopped: {
        id: 'stopped',
        entry: [
          { type: 'enter', params: { status: 'stopped' } },
          'reportStatus',
          { type: 'publish', params: ({ context }) => bus.stopped(context) },
        ],
        on: {
          START: { target: 'alive', actions: ['requested', 'resetFailures', 'beginRun'] },
          RESTART: { target: 'alive', actions: ['requested', 'resetFailures', 'beginRun'] },
        },
      },
      failed: {
        entry: [
          { type: 'enter', params: { status: 'failed' } },
          'reportStatus',
          {
            type: 'publish',
            params: ({ context }) =>
              bus.failed(context, context.lastError ?? { name: 'Error', message: 'failed' }),
          },
        ],
        on: {
          START: { target: 'alive', actions: ['requested', 'resetFailures', 'beginRun'] },
          RESTART: { target: 'alive', actions: ['requested', 'resetFailures', 'beginRun'] },
          STOP: { target: 'stopped', actions: 'requested' },
        },
      },
      aborted: {
        entry: [
          { type: 'enter', params: { status: 'aborted' } },
          'reportStatus',
          {
            type: 'publish',
            params: ({ context }) =>
              bus.aborted(context, context.lastError ?? abortError('too many failures')),
          },
        ],
        on: {
          START: { target: 'alive', actions: ['requested', 'resetFailures', 'beginRun'] },
          RESTART: { target: 'alive', actions: ['requested', 'resetFailures', 'beginRun'] },
          STOP: { target: 'stopped', actions: 'requested' },
        },
      },
    },
  });
}

import { assign, fromPromise, setup } from 'xstate';
import type { BusEvent } from '../../bus/events.js';
import { GuvError } from '../../errors.js';
import type { LogRecord, SerializedError } from '../../types/info.js';
import { serializeError as toSerializedError } from '../process/serialize-error.js';
import { type ChartHistoryEntry, recordState } from './chart-history.js';

export interface DaemonClock {
  now(): number;
}

export type DaemonState =
  | 'booting'
  | 'restoring'
  | 'running'
  | 'dumping'
  | 'stoppingAll'
  | 'dumpingBeforeExit'
  | 'exited'
  | 'fatality';

export interface DaemonInput {
  /** Restore the dumped process list when the daemon boots. */
  autoresume: boolean;
  /** Dump the process list after stopping every process on KILL. */
  dumpOnExit: boolean;
  clock: DaemonClock;
  /** How many transitions `context.history` keeps; history.ts's HISTORY_LIMIT unless told. */
  historyLimit?: number;
}

export interface DaemonContext {
  autoresume: boolean;
  dumpOnExit: boolean;
  clock: DaemonClock;
  historyLimit: number | undefined;
  /** Always the name of the current state. */
  state: DaemonState;
  history: ChartHistoryEntry<DaemonState>[];
  /**
   * The failure of the dump, restore or stop under way or last finished, for whoever asked for
   * it. Cleared when the next one starts: an old failure is never the outcome of a new request.
   */
  lastError: SerializedError | null;
}

export type DaemonEvent =
  /** The daemon's front doors are open: restore (when autoresume) and run. */
  | { type: 'BOOTED' }
  | { type: 'DUMP' }
  | { type: 'RESTORE' }
  /** Stop every process (dump afterwards when `dumpOnExit`) and exit. */
  | { type: 'KILL' }
  | { type: 'FATAL'; error: SerializedError };

function notProvided(name: string) {
  return fromPromise<void>(async () => {
    throw new GuvError(
      'GUV_ACTOR_NOT_PROVIDED',
      `the daemon chart's "${name}" actor was not provided`,
    );
  });
}

/** An operation failed but the daemon goes on: remember the error and log it on the bus. */
function failureLogged(operation: string) {
  return [
    {
      type: 'rememberError',
      params: ({ event }: { event: { error?: unknown } }) => ({ error: event.error }),
    },
    {
      type: 'publish',
      params: ({ context, event }: { context: DaemonContext; event: { error?: unknown } }) => ({
        type: 'daemon:log:error' as const,
        args: [
          {
            date: context.clock.now(),
            message: `${operation} failed: ${toSerializedError(event.error).message}`,
          },
        ] as [LogRecord],
      }),
    },
  ] as const;
}

/**
 * The guv daemon's own lifecycle: booting → restoring (autoresume) → running; dumping;
 * stoppingAll → exited; fatality. Effects are the `restoreProcesses`, `dumpProcesses` and
 * `stopAllProcesses` actors and the `publish` action, all provided by the daemon.
 *
 * @example
 * const daemon = createActor(
 *   daemonMachine.provide({ actors: { restoreProcesses, dumpProcesses, stopAllProcesses },
 *     actions: { publish: (_, event) => bus.emit(event.type, ...event.args) } }),
 *   { input: { autoresume: true, dumpOnExit: false, clock: Date } },
 * ).start();
 * daemon.send({ type: 'BOOTED' });
 */
export const daemonMachine = setup({
  types: {
    input: {} as DaemonInput,
    context: {} as DaemonContext,
    events: {} as DaemonEvent,
  },
  actors: {
    restoreProcesses: notProvided('restoreProcesses'),
    dumpProcesses: notProvided('dumpProcesses'),
    stopAllProcesses: notProvided('stopAllProcesses'),
  },
  actions: {
    publish: (_, _event: BusEvent) => {
      throw new GuvError(
        'GUV_ACTION_NOT_PROVIDED',
        `the daemon chart's "publish" action was not provided`,
      );
    },
    record: assign(({ context, event }, params: { state: DaemonState }) =>
      recordState(context, event, params.state),
    ),
    rememberError: assign({
      lastError: (_, params: { error: unknown }) => toSerializedError(params.error),
    }),
    forgetError: assign({ lastError: null }),
  },
  guards: {
    autoresume: ({ context }) => context.autoresume,
    dumpOnExit: ({ context }) => context.dumpOnExit,
  },
}).createMachine({
  id: 'daemon',
  context: ({ input }) => ({
    autoresume: input.autoresume,
    dumpOnExit: input.dumpOnExit,
    clock: input.clock,
    historyLimit: input.historyLimit,
    state: 'booting',
    history: [],
    lastError: null,
  }),
  initial: 'booting',
  on: {
    FATAL: {
      target: '.fatality',
      actions: [
        { type: 'rememberError', params: ({ event }) => ({ error: event.error }) },
        {
          type: 'publish',
          params: ({ event }) => ({ type: 'daemon:fatality', args: [event.error] }),
        },
      ],
    },
  },
  states: {
    booting: {
      on: {
        BOOTED: [{ guard: 'autoresume', target: 'restoring' }, { target: 'running' }],
        KILL: 'stoppingAll',
      },
    },
    restoring: {
      entry: [{ type: 'record', params: { state: 'restoring' } }, 'forgetError'],
      invoke: {
        id: 'restoreProcesses',
        src: 'restoreProcesses',
        onDone: {
          target: 'running',
          actions: { type: 'publish', params: { type: 'daemon:restore', args: [] } },
        },
        // A broken dump file must not keep the daemon from running what it can.
        onError: {
          target: 'running',
          actions: failureLogged('restore'),
        },
      },
      on: { KILL: 'stoppingAll' },
    },
    running: {
      entry: { type: 'record', params: { state: 'running' } },
      on: {
        DUMP: 'dumping',
        RESTORE: 'restoring',
        KILL: 'stoppingAll',
      },
    },
    dumping: {
      entry: [{ type: 'record', params: { state: 'dumping' } }, 'forgetError'],
      invoke: {
        id: 'dumpProcesses',
        src: 'dumpProcesses',
        onDone: {
          target: 'running',
          actions: { type: 'publish', params: { type: 'daemon:dump', args: [] } },
        },
        onError: {
          target: 'running',
          actions: failureLogged('dump'),
        },
      },
      on: { KILL: 'stoppingAll' },
    },
    stoppingAll: {
      entry: [{ type: 'record', params: { state: 'stoppingAll' } }, 'forgetError'],
      invoke: {
        id: 'stopAllProcesses',
        src: 'stopAllProcesses',
        onDone: [{ guard: 'dumpOnExit', target: 'dumpingBeforeExit' }, { target: 'exited' }],
        // Children we could not stop may outlive us: that is a crash, not a clean exit.
        onError: {
          target: 'fatality',
          actions: [
            { type: 'rememberError', params: ({ event }) => ({ error: event.error }) },
            {
              type: 'publish',
              params: ({ event }) => ({
                type: 'daemon:fatality',
                args: [toSerializedError(event.error)],
              }),
            },
          ],
        },
      },
    },
    dumpingBeforeExit: {
      entry: { type: 'record', params: { state: 'dumpingBeforeExit' } },
      invoke: {
        id: 'dumpProcesses',
        src: 'dumpProcesses',
        onDone: {
          target: 'exited',
          actions: { type: 'publish', params: { type: 'daemon:dump', args: [] } },
        },
        onError: {
          target: 'exited',
          actions: failureLogged('dump'),
        },
      },
    },
    exited: {
      type: 'final',
      entry: [
        { type: 'record', params: { state: 'exited' } },
        { type: 'publish', params: { type: 'daemon:exit', args: [] } },
      ],
    },
    fatality: { type: 'final', entry: { type: 'record', params: { state: 'fatality' } } },
  },
});

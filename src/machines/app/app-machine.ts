import { assign, setup } from 'xstate';
import type { BusEvent } from '../../bus/events.js';
import { GuvError } from '../../errors.js';
import type { AppInfo, SerializedError } from '../../types/info.js';
import { recordState, type ChartHistoryEntry } from '../daemon/chart-history.js';
import { serializeError } from '../process/serialize-error.js';
import { type AppCheckout, appActors } from './app-actors.js';
import { type AppOperation, type AppOutcome, outcomeEvent } from './app-outcome.js';

export interface AppClock {
  now(): number;
}

export interface AppInput {
  /** An app with a `commit` is already on disk (the daemon reloading its list): it starts `installed`. */
  app: AppInfo;
  clock: AppClock;
  historyLimit?: number;
  /** How long one step may run before it is stopped (its git or npm aborted); defaults below. */
  deadlines?: Partial<AppDeadlines>;
}

/** The longest one step of an app request may take; past it the step is aborted and fails. */
export interface AppDeadlines {
  /** A clone, fetch or checkout. */
  gitMs: number;
  /** `npm install` of the app's dependencies. */
  npmMs: number;
  /** Deleting files (a failed install's staging, a removed app). */
  filesMs: number;
}

// An install is clone + npm + clean-up at the worst: 5 + 15 + 2 = 22 min, under the service's
// 25 min answer deadline, so the caller hears the chart's own failure.
export const APP_DEADLINES: AppDeadlines = {
  gitMs: 5 * 60_000,
  npmMs: 15 * 60_000,
  filesMs: 2 * 60_000,
};

export type AppState =
  | 'init'
  | 'cloning'
  | 'installingDependencies'
  | 'cleaningUp'
  | 'installFailed'
  | 'failed'
  | 'installed'
  | 'updatingRefs'
  | 'switchingRef.checkingOut'
  | 'switchingRef.installingDependencies'
  | 'revertingRef.checkingOut'
  | 'revertingRef.installingDependencies'
  | 'removing'
  | 'removed';

export interface AppContext {
  app: AppInfo;
  /** Branch and tag names from the last UPDATE_REFS. */
  refs: string[];
  /** The ref and commit before the switch in progress, to return to if it fails. */
  previous: { ref: string | null; commit: string | null } | null;
  /** The ref asked for by the SET_REF in progress. */
  targetRef: string | null;
  /** The failure being handled (or the last one), reported with `app:failed`. */
  error: SerializedError | null;
  /** How the last request ended; null while one runs (a new request clears it). */
  outcome: AppOutcome | null;
  state: AppState;
  history: ChartHistoryEntry<AppState>[];
  clock: AppClock;
  historyLimit: number | undefined;
  deadlines: AppDeadlines;
}

export type AppEvent =
  | { type: 'UPDATE_REFS' }
  | { type: 'SET_REF'; ref: string }
  | { type: 'REMOVE' };

function combine(first: SerializedError, then: string, second: unknown): SerializedError {
  return {
    ...first,
    message: `${first.message} (then ${then} failed: ${serializeError(second).message})`,
  };
}

/** The step in progress ran past its deadline: that is the failure being handled. */
function timedOut(step: string, deadline: keyof AppDeadlines) {
  return {
    type: 'failWith',
    params: ({ context }: { context: AppContext }) => ({
      error: new GuvError(
        'GUV_TIMEOUT',
        `${step} of app "${context.app.name}" did not finish within ${Math.round(context.deadlines[deadline] / 1000)} s`,
      ),
    }),
  } as const;
}

/** Announces the outcome just recorded (`conclude`) on the bus. */
const publishOutcome = {
  type: 'publish',
  params: ({ context }: { context: AppContext }) => outcomeEvent(context.outcome!),
} as const;

/** Ends the request well: its outcome recorded, then announced. */
function succeeded(outcome: (context: AppContext) => AppOutcome) {
  return [
    { type: 'conclude', params: ({ context }: { context: AppContext }) => outcome(context) },
    publishOutcome,
  ] as const;
}

/** Ends `operation` with the failure in `context.error`, recorded, then announced. */
function failed(operation: AppOperation, reverted = false) {
  return [
    {
      type: 'conclude',
      params: ({ context }: { context: AppContext }): AppOutcome => ({
        ok: false,
        operation,
        app: context.app,
        error: context.error ?? { name: 'Error', message: 'unknown failure' },
        reverted,
      }),
    },
    publishOutcome,
  ] as const;
}

/**
 * One app installed from git: cloning → installingDependencies → installed; refs updating;
 * ref switching (reverting to the old ref when the switch fails); removing → removed. A failed
 * install discards what it wrote (`discardInstall`, never `removeFiles`) and ends in
 * `installFailed`: there is never a half-installed app, and an installed app of the same name
 * is never touched.
 *
 * @example
 * const app = createActor(appMachine.provide({ actors: gitActors,
 *   actions: { publish: (_, e) => bus.emit(e.type, ...e.args) } }),
 *   { input: { app: { name, url, user: null, ref: null, commit: null, dir }, clock: Date } }).start();
 * app.send({ type: 'SET_REF', ref: 'v2.0.0' });
 */
export const appMachine = setup({
  types: {
    input: {} as AppInput,
    context: {} as AppContext,
    events: {} as AppEvent,
  },
  actors: appActors,
  actions: {
    publish: (_, _event: BusEvent) => {
      throw new GuvError(
        'GUV_ACTION_NOT_PROVIDED',
        `the app chart's "publish" action was not provided`,
      );
    },
    record: assign(({ context, event }, params: { state: AppState }) =>
      recordState(context, event, params.state),
    ),
    checkedOut: assign({
      app: ({ context }, checkout: AppCheckout) => ({
        ...context.app,
        ref: checkout.ref,
        commit: checkout.commit,
      }),
    }),
    failWith: assign({ error: (_, params: { error: unknown }) => serializeError(params.error) }),
    /** A request is under way: the last one's outcome no longer answers anything. */
    begin: assign({ outcome: null }),
    conclude: assign({ outcome: (_, outcome: AppOutcome) => outcome }),
  },
  delays: {
    gitStep: ({ context }) => context.deadlines.gitMs,
    npmStep: ({ context }) => context.deadlines.npmMs,
    filesStep: ({ context }) => context.deadlines.filesMs,
  },
  guards: {
    onDisk: ({ context }) => context.app.commit !== null,
    canRevert: ({ context }) => context.previous?.ref != null,
  },
}).createMachine({
  id: 'app',
  context: ({ input }) => ({
    app: input.app,
    refs: [],
    previous: null,
    targetRef: null,
    error: null,
    outcome: null,
    state: 'init',
    history: [],
    clock: input.clock,
    historyLimit: input.historyLimit,
    deadlines: { ...APP_DEADLINES, ...input.deadlines },
  }),
  initial: 'init',
  states: {
    // Transient: an app found on disk resumes as installed, a new one is cloned.
    init: {
      always: [{ guard: 'onDisk', target: 'installed' }, { target: 'cloning' }],
    },
    cloning: {
      entry: { type: 'record', params: { state: 'cloning' } },
      invoke: {
        id: 'cloneRepo',
        src: 'cloneRepo',
        input: ({ context }) => ({ app: context.app }),
        onDone: {
          target: 'installingDependencies',
          actions: { type: 'checkedOut', params: ({ event }) => event.output },
        },
        onError: {
          target: 'cleaningUp',
          actions: { type: 'failWith', params: ({ event }) => ({ error: event.error }) },
        },
      },
      after: { gitStep: { target: 'cleaningUp', actions: timedOut('the clone', 'gitMs') } },
    },
    installingDependencies: {
      entry: { type: 'record', params: { state: 'installingDependencies' } },
      invoke: {
        id: 'installDependencies',
        src: 'installDependencies',
        input: ({ context }) => ({ app: context.app }),
        onDone: {
          target: 'installed',
          actions: succeeded(({ app }) => ({ ok: true, operation: 'install', app })),
        },
        onError: {
          target: 'cleaningUp',
          actions: { type: 'failWith', params: ({ event }) => ({ error: event.error }) },
        },
      },
      after: {
        npmStep: { target: 'cleaningUp', actions: timedOut('npm install', 'npmMs') },
      },
    },
    // Discards what the failed install wrote, so a failure never leaves half an app behind.
    // Not removeFiles: that deletes app.dir, which may hold an installed app of the same name.
    cleaningUp: {
      entry: { type: 'record', params: { state: 'cleaningUp' } },
      invoke: {
        id: 'discardInstall',
        src: 'discardInstall',
        input: ({ context }) => ({ app: context.app }),
        onDone: { target: 'installFailed', actions: failed('install') },
        onError: {
          target: 'installFailed',
          actions: [
            assign({
              error: ({ context, event }) =>
                combine(context.error!, 'discarding the half-done install', event.error),
            }),
            ...failed('install'),
          ],
        },
      },
      after: {
        filesStep: {
          target: 'installFailed',
          actions: [
            assign({
              error: ({ context }) =>
                combine(context.error!, 'discarding the half-done install', 'it timed out'),
            }),
            ...failed('install'),
          ],
        },
      },
    },
    // Final: nothing of this install is left to remove, and app.dir is not this chart's to delete.
    installFailed: {
      type: 'final',
      entry: { type: 'record', params: { state: 'installFailed' } },
    },
    // An installed app that could not be brought back to a working ref, or not removed.
    failed: {
      entry: { type: 'record', params: { state: 'failed' } },
      on: { REMOVE: 'removing' },
    },
    installed: {
      entry: [
        { type: 'record', params: { state: 'installed' } },
        assign({ previous: null, targetRef: null }),
      ],
      on: {
        UPDATE_REFS: 'updatingRefs',
        SET_REF: {
          target: 'switchingRef',
          actions: assign({
            previous: ({ context }) => ({ ref: context.app.ref, commit: context.app.commit }),
            targetRef: ({ event }) => event.ref,
          }),
        },
        REMOVE: 'removing',
      },
    },
    updatingRefs: {
      entry: [{ type: 'record', params: { state: 'updatingRefs' } }, 'begin'],
      invoke: {
        id: 'updateRefs',
        src: 'updateRefs',
        input: ({ context }) => ({ app: context.app }),
        onDone: {
          target: 'installed',
          actions: [
            assign({ refs: ({ event }) => event.output }),
            ...succeeded(({ app, refs }) => ({ ok: true, operation: 'updateRefs', app, refs })),
          ],
        },
        onError: {
          target: 'installed',
          actions: [
            { type: 'failWith', params: ({ event }) => ({ error: event.error }) },
            ...failed('updateRefs'),
          ],
        },
      },
      after: {
        gitStep: {
          target: 'installed',
          actions: [timedOut('the fetch', 'gitMs'), ...failed('updateRefs')],
        },
      },
    },
    switchingRef: {
      entry: 'begin',
      initial: 'checkingOut',
      states: {
        checkingOut: {
          entry: { type: 'record', params: { state: 'switchingRef.checkingOut' } },
          invoke: {
            id: 'switchRef',
            src: 'switchRef',
            input: ({ context }) => ({ app: context.app, ref: context.targetRef! }),
            onDone: {
              target: 'installingDependencies',
              actions: { type: 'checkedOut', params: ({ event }) => event.output },
            },
            // The checkout did not happen: the app is still on its old ref.
            onError: {
              target: '#app.installed',
              actions: [
                { type: 'failWith', params: ({ event }) => ({ error: event.error }) },
                ...failed('setRef'),
              ],
            },
          },
          // An aborted checkout may have changed files: go back to the old ref as after a failure.
          after: { gitStep: { target: 'timedOut', actions: timedOut('the checkout', 'gitMs') } },
        },
        installingDependencies: {
          entry: { type: 'record', params: { state: 'switchingRef.installingDependencies' } },
          invoke: {
            id: 'installDependencies',
            src: 'installDependencies',
            input: ({ context }) => ({ app: context.app }),
            onDone: {
              target: '#app.installed',
              actions: succeeded(({ app, previous }) => ({
                ok: true,
                operation: 'setRef',
                app,
                oldRef: previous?.ref ?? null,
                newRef: app.ref!,
              })),
            },
            onError: [
              {
                guard: 'canRevert',
                target: '#app.revertingRef',
                actions: { type: 'failWith', params: ({ event }) => ({ error: event.error }) },
              },
              {
                target: '#app.failed',
                actions: [
                  { type: 'failWith', params: ({ event }) => ({ error: event.error }) },
                  ...failed('setRef'),
                ],
              },
            ],
          },
          after: { npmStep: { target: 'timedOut', actions: timedOut('npm install', 'npmMs') } },
        },
        // Transient: a step ran past its deadline (context.error says which).
        timedOut: {
          always: [
            { guard: 'canRevert', target: '#app.revertingRef' },
            { target: '#app.failed', actions: failed('setRef') },
          ],
        },
      },
    },
    // The new ref's dependencies would not install: go back to the old ref and its dependencies.
    revertingRef: {
      initial: 'checkingOut',
      states: {
        checkingOut: {
          entry: { type: 'record', params: { state: 'revertingRef.checkingOut' } },
          invoke: {
            id: 'switchRef',
            src: 'switchRef',
            input: ({ context }) => ({ app: context.app, ref: context.previous!.ref! }),
            onDone: {
              target: 'installingDependencies',
              actions: { type: 'checkedOut', params: ({ event }) => event.output },
            },
            onError: {
              target: '#app.failed',
              actions: [
                assign({
                  error: ({ context, event }) => combine(context.error!, 'reverting', event.error),
                }),
                ...failed('setRef'),
              ],
            },
          },
          after: {
            gitStep: {
              target: '#app.failed',
              actions: [
                assign({
                  error: ({ context }) => combine(context.error!, 'reverting', 'it timed out'),
                }),
                ...failed('setRef'),
              ],
            },
          },
        },
        installingDependencies: {
          entry: { type: 'record', params: { state: 'revertingRef.installingDependencies' } },
          invoke: {
            id: 'installDependencies',
            src: 'installDependencies',
            input: ({ context }) => ({ app: context.app }),
            onDone: { target: '#app.installed', actions: failed('setRef', true) },
            onError: {
              target: '#app.failed',
              actions: [
                assign({
                  error: ({ context, event }) =>
                    combine(context.error!, 'reinstalling the old dependencies', event.error),
                }),
                ...failed('setRef'),
              ],
            },
          },
          after: {
            npmStep: {
              target: '#app.failed',
              actions: [
                assign({
                  error: ({ context }) =>
                    combine(context.error!, 'reinstalling the old dependencies', 'it timed out'),
                }),
                ...failed('setRef'),
              ],
            },
          },
        },
      },
    },
    removing: {
      entry: [{ type: 'record', params: { state: 'removing' } }, 'begin'],
      invoke: {
        id: 'removeFiles',
        src: 'removeFiles',
        input: ({ context }) => ({ app: context.app }),
        onDone: {
          target: 'removed',
          actions: succeeded(({ app }) => ({ ok: true, operation: 'remove', app })),
        },
        onError: {
          target: 'failed',
          actions: [
            { type: 'failWith', params: ({ event }) => ({ error: event.error }) },
            ...failed('remove'),
          ],
        },
      },
      after: {
        filesStep: {
          target: 'failed',
          actions: [timedOut('removing the files', 'filesMs'), ...failed('remove')],
        },
      },
    },
    removed: {
      type: 'final',
      entry: { type: 'record', params: { state: 'removed' } },
    },
  },
});

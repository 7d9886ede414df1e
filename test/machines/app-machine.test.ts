import { describe, expect, it } from 'vitest';
import { type AnyActorLogic, createActor, fromPromise, SimulatedClock, waitFor } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import type { BusEvent } from '../../src/bus/events.js';
import type {
  AppActorInput,
  AppCheckout,
  SwitchRefInput,
} from '../../src/machines/app/app-actors.js';
import { type AppEvent, appMachine } from '../../src/machines/app/app-machine.js';
import type { AppInfo } from '../../src/types/info.js';

const fresh: AppInfo = {
  name: 'shop',
  url: 'https://example.com/shop.git',
  user: null,
  ref: null,
  commit: null,
  dir: '/apps/shop',
};
const onMain: AppInfo = { ...fresh, ref: 'main', commit: 'c-main' };
const onV2: AppInfo = { ...fresh, ref: 'v2', commit: 'c-v2' };

interface Failures {
  cloneRepo?: boolean;
  /** Fails installing dependencies while the app is on one of these refs. */
  installOn?: (string | null)[];
  updateRefs?: boolean;
  /** Fails checking out these refs. */
  switchTo?: string[];
  removeFiles?: boolean;
  discardInstall?: boolean;
}

function setupApp(app: AppInfo, failures: Failures = {}) {
  const clock = new SimulatedClock();
  clock.set(5_000);
  const published: BusEvent[] = [];
  const calls: string[] = [];
  let removals = 0;
  const machine = appMachine.provide({
    actors: {
      cloneRepo: fromPromise<AppCheckout, AppActorInput>(async ({ input }) => {
        calls.push(`cloneRepo ${input.app.url}`);
        if (failures.cloneRepo) throw new Error('clone failed');
        return { ref: 'main', commit: 'c-main' };
      }),
      installDependencies: fromPromise<unknown, AppActorInput>(async ({ input }) => {
        calls.push(`installDependencies ${input.app.ref}`);
        if (failures.installOn?.includes(input.app.ref))
          throw new Error(`npm failed on ${input.app.ref}`);
      }),
      updateRefs: fromPromise<string[], AppActorInput>(async () => {
        calls.push('updateRefs');
        if (failures.updateRefs) throw new Error('fetch failed');
        return ['main', 'v2'];
      }),
      switchRef: fromPromise<AppCheckout, SwitchRefInput>(async ({ input }) => {
        calls.push(`switchRef ${input.app.ref}→${input.ref}`);
        if (failures.switchTo?.includes(input.ref)) throw new Error(`no ref ${input.ref}`);
        return { ref: input.ref, commit: `c-${input.ref}` };
      }),
      removeFiles: fromPromise<unknown, AppActorInput>(async ({ input }) => {
        calls.push(`removeFiles ${input.app.dir}`);
        removals += 1;
        if (failures.removeFiles && removals === 1) throw new Error('EBUSY');
      }),
      discardInstall: fromPromise<unknown, AppActorInput>(async ({ input }) => {
        calls.push(`discardInstall ${input.app.name}`);
        if (failures.discardInstall) throw new Error('EBUSY');
      }),
    },
    actions: { publish: (_, event) => void published.push(event) },
  });
  const actor = createActor(machine, { clock, input: { app, clock } }).start();
  const settle = (state: 'installed' | 'installFailed' | 'failed' | 'removed') =>
    waitFor(actor, (s) => s.matches(state));
  return { actor, published, calls, settle };
}

const failure = (message: string) => expect.objectContaining({ name: 'Error', message });

describe('app chart', () => {
  it('clones, installs dependencies and says app:installed', async () => {
    const { actor, published, calls, settle } = setupApp(fresh);
    expect(actor.getSnapshot().value).toBe('cloning');
    await settle('installed');
    expect(calls).toEqual(['cloneRepo https://example.com/shop.git', 'installDependencies main']);
    expect(published).toEqual([{ type: 'app:installed', args: [onMain] }]);
    expect(actor.getSnapshot().context.history.map((h) => h.to)).toEqual([
      'cloning',
      'installingDependencies',
      'installed',
    ]);
  });

  it('discards the half-done install when the clone fails, never the app folder', async () => {
    const { actor, published, calls, settle } = setupApp(fresh, { cloneRepo: true });
    await settle('installFailed');
    expect(calls).toEqual(['cloneRepo https://example.com/shop.git', 'discardInstall shop']);
    expect(published).toEqual([{ type: 'app:failed', args: [fresh, failure('clone failed')] }]);
    expect(actor.getSnapshot().status).toBe('done');
  });

  it('discards the clone when its dependencies do not install', async () => {
    const { published, calls, settle } = setupApp(fresh, { installOn: ['main'] });
    await settle('installFailed');
    expect(calls).toEqual([
      'cloneRepo https://example.com/shop.git',
      'installDependencies main',
      'discardInstall shop',
    ]);
    expect(published).toEqual([
      { type: 'app:failed', args: [onMain, failure('npm failed on main')] },
    ]);
  });

  // Regression: cleaningUp used to invoke removeFiles, deleting an installed app of that name.
  it('never removes the files of an app of the same name, not even on a later REMOVE', async () => {
    const { actor, calls, settle } = setupApp(fresh, { installOn: ['main'] });
    await settle('installFailed');
    expect(actor.getSnapshot().can({ type: 'REMOVE' })).toBe(false);
    expect(calls.some((c) => c.startsWith('removeFiles'))).toBe(false);
  });

  it('reports both failures when discarding fails too', async () => {
    const { published, settle } = setupApp(fresh, { cloneRepo: true, discardInstall: true });
    await settle('installFailed');
    expect(published).toEqual([
      {
        type: 'app:failed',
        args: [
          fresh,
          failure('clone failed (then discarding the half-done install failed: EBUSY)'),
        ],
      },
    ]);
  });

  it('can be removed again after a failed removal', async () => {
    const { actor, published, calls, settle } = setupApp(onMain, { removeFiles: true });
    actor.send({ type: 'REMOVE' });
    await settle('failed');
    expect(published).toEqual([{ type: 'app:failed', args: [onMain, failure('EBUSY')] }]);
    actor.send({ type: 'REMOVE' });
    await settle('removed');
    expect(calls).toEqual(['removeFiles /apps/shop', 'removeFiles /apps/shop']);
    expect(published.at(-1)).toEqual({ type: 'app:removed', args: [onMain] });
  });

  it('starts installed when the app is already on disk', () => {
    const { actor, calls } = setupApp(onMain);
    expect(actor.getSnapshot().value).toBe('installed');
    expect(calls).toEqual([]);
  });

  it('updates refs', async () => {
    const { actor, published, settle } = setupApp(onMain);
    actor.send({ type: 'UPDATE_REFS' });
    expect(actor.getSnapshot().value).toBe('updatingRefs');
    await settle('installed');
    expect(actor.getSnapshot().context.refs).toEqual(['main', 'v2']);
    expect(published).toEqual([{ type: 'app:refs:updated', args: [onMain, ['main', 'v2']] }]);
  });

  it('stays installed when a fetch fails', async () => {
    const { actor, published, settle } = setupApp(onMain, { updateRefs: true });
    actor.send({ type: 'UPDATE_REFS' });
    await settle('installed');
    expect(published).toEqual([{ type: 'app:failed', args: [onMain, failure('fetch failed')] }]);
  });

  it('switches ref and reinstalls dependencies', async () => {
    const { actor, published, calls, settle } = setupApp(onMain);
    actor.send({ type: 'SET_REF', ref: 'v2' });
    expect(actor.getSnapshot().value).toEqual({ switchingRef: 'checkingOut' });
    await settle('installed');
    expect(calls).toEqual(['switchRef main→v2', 'installDependencies v2']);
    expect(published).toEqual([{ type: 'app:refs:switched', args: [onV2, 'main', 'v2'] }]);
    expect(actor.getSnapshot().context.app).toEqual(onV2);
  });

  it('stays on the old ref when the checkout fails', async () => {
    const { actor, published, calls, settle } = setupApp(onMain, { switchTo: ['v9'] });
    actor.send({ type: 'SET_REF', ref: 'v9' });
    await settle('installed');
    expect(calls).toEqual(['switchRef main→v9']);
    expect(published).toEqual([{ type: 'app:failed', args: [onMain, failure('no ref v9')] }]);
    expect(actor.getSnapshot().context.app).toEqual(onMain);
  });

  it('returns to the old ref and its dependencies when the new ones do not install', async () => {
    const { actor, published, calls, settle } = setupApp(onMain, { installOn: ['v2'] });
    actor.send({ type: 'SET_REF', ref: 'v2' });
    await settle('installed');
    expect(calls).toEqual([
      'switchRef main→v2',
      'installDependencies v2',
      'switchRef v2→main',
      'installDependencies main',
    ]);
    expect(published).toEqual([
      { type: 'app:failed', args: [onMain, failure('npm failed on v2')] },
    ]);
    expect(actor.getSnapshot().context.app).toEqual(onMain);
  });

  it('is failed when even the way back fails', async () => {
    const { actor, published, settle } = setupApp(onMain, {
      installOn: ['v2'],
      switchTo: ['main'],
    });
    actor.send({ type: 'SET_REF', ref: 'v2' });
    await settle('failed');
    expect(published).toEqual([
      {
        type: 'app:failed',
        args: [onV2, failure('npm failed on v2 (then reverting failed: no ref main)')],
      },
    ]);
  });

  it('removes the app', async () => {
    const { actor, published, calls, settle } = setupApp(onMain);
    actor.send({ type: 'REMOVE' });
    await settle('removed');
    expect(actor.getSnapshot().status).toBe('done');
    expect(calls).toEqual(['removeFiles /apps/shop']);
    expect(published).toEqual([{ type: 'app:removed', args: [onMain] }]);
  });

  it("keeps each request's outcome in its context, cleared while the next one runs", async () => {
    const { actor, settle } = setupApp(fresh, { installOn: ['v2'], switchTo: ['v9'] });
    const outcome = () => actor.getSnapshot().context.outcome;
    expect(outcome()).toBeNull();
    await settle('installed');
    expect(outcome()).toEqual({ ok: true, operation: 'install', app: onMain });

    actor.send({ type: 'UPDATE_REFS' });
    expect(outcome()).toBeNull();
    await settle('installed');
    expect(outcome()).toEqual({
      ok: true,
      operation: 'updateRefs',
      app: onMain,
      refs: ['main', 'v2'],
    });

    actor.send({ type: 'SET_REF', ref: 'v2' });
    expect(outcome()).toBeNull();
    await settle('installed');
    expect(outcome()).toEqual({
      ok: false,
      operation: 'setRef',
      app: onMain,
      error: failure('npm failed on v2'),
      reverted: true,
    });

    actor.send({ type: 'SET_REF', ref: 'v9' });
    await settle('installed');
    expect(outcome()).toEqual({
      ok: false,
      operation: 'setRef',
      app: onMain,
      error: failure('no ref v9'),
      reverted: false,
    });

    actor.send({ type: 'REMOVE' });
    await settle('removed');
    expect(outcome()).toEqual({ ok: true, operation: 'remove', app: onMain });
  });

  it('a successful switch answers with the old and the new ref', async () => {
    const { actor, settle } = setupApp(onMain);
    actor.send({ type: 'SET_REF', ref: 'v2' });
    await settle('installed');
    expect(actor.getSnapshot().context.outcome).toEqual({
      ok: true,
      operation: 'setRef',
      app: onV2,
      oldRef: 'main',
      newRef: 'v2',
    });
  });

  it('reaches every state by shortest paths', () => {
    const error = new Error('x');
    const done = (id: string, output?: unknown) => ({ type: `xstate.done.actor.${id}`, output });
    const events = [
      { type: 'UPDATE_REFS' },
      { type: 'SET_REF', ref: 'v2' },
      { type: 'REMOVE' },
      done('cloneRepo', { ref: 'main', commit: 'c-main' }),
      done('installDependencies'),
      done('updateRefs', ['main']),
      done('switchRef', { ref: 'v2', commit: 'c-v2' }),
      done('removeFiles'),
      done('discardInstall'),
      ...[
        'cloneRepo',
        'installDependencies',
        'updateRefs',
        'switchRef',
        'removeFiles',
        'discardInstall',
      ].map((id) => ({
        type: `xstate.error.actor.${id}`,
        error,
      })),
    ] as unknown as AppEvent[];
    const reached = new Set<string>();
    const logic = appMachine.provide({ actions: { publish: () => {} } }) as AnyActorLogic;
    const value = (s: unknown) => JSON.stringify((s as { value: unknown }).value);
    for (const app of [fresh, onMain]) {
      const paths = getShortestPaths(logic, {
        input: { app, clock: new SimulatedClock() },
        events,
        serializeState: value,
      });
      for (const p of paths) reached.add(value(p.state));
    }
    expect([...reached].sort()).toEqual(
      [
        '"cloning"',
        '"installingDependencies"',
        '"cleaningUp"',
        '"installFailed"',
        '"failed"',
        '"installed"',
        '"updatingRefs"',
        '{"switchingRef":"checkingOut"}',
        '{"switchingRef":"installingDependencies"}',
        '{"revertingRef":"checkingOut"}',
        '{"revertingRef":"installingDependencies"}',
        '"removing"',
        '"removed"',
      ].sort(),
    );
  });
});

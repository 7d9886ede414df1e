import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, SimulatedClock, waitFor } from 'xstate';
import type {
  AppActorInput,
  AppCheckout,
  SwitchRefInput,
} from '../../src/machines/app/app-actors.js';
import { appMachine } from '../../src/machines/app/app-machine.js';
import type { AppInfo } from '../../src/types/info.js';

const onMain: AppInfo = {
  name: 'shop',
  url: 'https://example.com/shop.git',
  user: null,
  ref: 'main',
  commit: 'c-main',
  dir: '/apps/shop',
};
const deadlines = { gitMs: 1_000, npmMs: 2_000, filesMs: 500 };
type Step = 'cloneRepo' | 'installDependencies' | 'updateRefs' | 'switchRef' | 'removeFiles';

/** An app chart whose `hanging` steps never finish on their own (a git server that never answers). */
function setupApp(app: AppInfo, hanging: Step[]) {
  const clock = new SimulatedClock();
  const aborted: Step[] = [];
  const step = <T, I extends AppActorInput = AppActorInput>(name: Step, result: (input: I) => T) =>
    fromPromise<T, I>(({ input, signal }) =>
      hanging.includes(name)
        ? new Promise<T>((_, reject) =>
            signal.addEventListener('abort', () => {
              aborted.push(name);
              reject(new Error('aborted'));
            }),
          )
        : Promise.resolve(result(input)),
    );
  const machine = appMachine.provide({
    actors: {
      cloneRepo: step<AppCheckout>('cloneRepo', () => ({ ref: 'main', commit: 'c-main' })),
      installDependencies: step<unknown>('installDependencies', () => undefined),
      updateRefs: step('updateRefs', () => ['main']),
      switchRef: step<AppCheckout, SwitchRefInput>('switchRef', (input) => ({
        ref: input.ref,
        commit: `c-${input.ref}`,
      })),
      removeFiles: step<unknown>('removeFiles', () => undefined),
      discardInstall: step<unknown>('removeFiles', () => undefined),
    },
    actions: { publish: () => {} },
  });
  const actor = createActor(machine, { clock, input: { app, clock, deadlines } }).start();
  return { actor, clock, aborted };
}

describe('every step of an app request has a deadline', () => {
  it('a clone that never answers is aborted and the install fails with GUV_TIMEOUT', async () => {
    const { actor, clock, aborted } = setupApp({ ...onMain, ref: null, commit: null }, [
      'cloneRepo',
    ]);
    clock.increment(999);
    expect(actor.getSnapshot().value).toBe('cloning');
    clock.increment(1);
    const done = await waitFor(actor, (s) => s.matches('installFailed'));
    expect(aborted).toEqual(['cloneRepo']);
    expect(done.context.outcome).toMatchObject({ ok: false, operation: 'install' });
    expect(done.context.error?.message).toMatch(
      /the clone of app "shop" did not finish within 1 s/,
    );
  });

  it('a fetch that never answers fails updateRefs and leaves the app installed, not busy', async () => {
    const { actor, clock, aborted } = setupApp(onMain, ['updateRefs']);
    actor.send({ type: 'UPDATE_REFS' });
    clock.increment(1_000);
    const done = await waitFor(actor, (s) => s.matches('installed') && s.context.outcome !== null);
    expect(aborted).toEqual(['updateRefs']);
    expect(done.context.outcome).toMatchObject({ ok: false, operation: 'updateRefs' });
  });

  it('an npm install that hangs after a ref switch goes back to the old ref', async () => {
    const { actor, clock, aborted } = setupApp(onMain, ['installDependencies']);
    actor.send({ type: 'SET_REF', ref: 'v2' });
    await waitFor(actor, (s) => s.matches({ switchingRef: 'installingDependencies' }));
    clock.increment(2_000);
    await waitFor(actor, (s) => s.matches({ revertingRef: 'installingDependencies' }));
    clock.increment(2_000);
    const done = await waitFor(actor, (s) => s.matches('failed'));
    expect(aborted).toEqual(['installDependencies', 'installDependencies']);
    expect(done.context.outcome).toMatchObject({ ok: false, operation: 'setRef' });
    expect(done.context.error?.message).toMatch(/npm install .* did not finish .*reinstalling/);
  });

  it('removing files that hangs fails the removal, and the app can be removed again', async () => {
    const { actor, clock } = setupApp(onMain, ['removeFiles']);
    actor.send({ type: 'REMOVE' });
    clock.increment(500);
    const done = await waitFor(actor, (s) => s.matches('failed'));
    expect(done.context.outcome).toMatchObject({ ok: false, operation: 'remove' });
    expect(done.can({ type: 'REMOVE' })).toBe(true);
  });
});

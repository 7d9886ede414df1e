import { type Actor, fromPromise } from 'xstate';
import type { AppOperations } from '../operations.js';
import type { BusEvent } from '../../bus/events.js';
import type { AppActorInput, AppCheckout, SwitchRefInput } from '../../machines/app/app-actors.js';
import { appMachine } from '../../machines/app/app-machine.js';

type Input = AppActorInput;

/**
 * The app chart driven by the real git and npm operations. `adopt`: the folder of a clone
 * made first to read the app's name, taken over instead of cloning again.
 */
export function provideAppChart(
  ops: AppOperations,
  adopt: string | null,
  publish: (event: BusEvent) => void,
) {
  return appMachine.provide({
    actors: {
      cloneRepo: fromPromise<AppCheckout, Input>(({ input, signal }) =>
        adopt === null
          ? ops.cloneRepo({ ...input, signal })
          : ops.adoptClone({ ...input, signal, repo: adopt }),
      ),
      installDependencies: fromPromise<unknown, Input>(({ input, signal }) =>
        ops.installDependencies({ ...input, signal }),
      ),
      updateRefs: fromPromise<string[], Input>(({ input, signal }) =>
        ops.updateRefs({ ...input, signal }),
      ),
      switchRef: fromPromise<AppCheckout, SwitchRefInput>(({ input, signal }) =>
        ops.switchRef({ ...input, signal }),
      ),
      removeFiles: fromPromise<unknown, Input>(({ input, signal }) =>
        ops.removeFiles({ ...input, signal }),
      ),
      discardInstall: fromPromise<unknown, Input>(({ input, signal }) =>
        ops.discardStaging({ ...input, signal }),
      ),
    },
    actions: { publish: (_, event: BusEvent) => publish(event) },
  });
}

export type AppActor = Actor<ReturnType<typeof provideAppChart>>;

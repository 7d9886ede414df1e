import { fromPromise } from 'xstate';
import { GuvError } from '../../errors.js';
import type { AppInfo } from '../../types/info.js';

/**
 * The contract between the app chart and the git/npm actors the daemon provides
 * (src/actors/git). Names and shapes are fixed: the chart invokes them by these names.
 */

/** Input of cloneRepo, installDependencies, updateRefs, removeFiles and discardInstall. */
export interface AppActorInput {
  app: AppInfo;
}

export interface SwitchRefInput extends AppActorInput {
  /** Branch or tag to check out. */
  ref: string;
}

/** What a clone or a checkout leaves in the working tree. */
export interface AppCheckout {
  ref: string;
  commit: string;
}

/** A promise actor that rejects with GUV_ACTOR_NOT_PROVIDED: forgetting to provide one is loud. */
export function notProvided<TOutput, TInput>(chart: string, name: string) {
  return fromPromise<TOutput, TInput>(async () => {
    throw new GuvError(
      'GUV_ACTOR_NOT_PROVIDED',
      `the ${chart} chart's "${name}" actor was not provided`,
    );
  });
}

export const appActors = {
  /** Clones `app.url` into `app.dir` and checks out `app.ref` (the default branch when null). */
  cloneRepo: notProvided<AppCheckout, AppActorInput>('app', 'cloneRepo'),
  /** Installs the app's dependencies in `app.dir` (npm ci / npm install). */
  installDependencies: notProvided<unknown, AppActorInput>('app', 'installDependencies'),
  /** Fetches from the remote; resolves to every branch and tag name. */
  updateRefs: notProvided<string[], AppActorInput>('app', 'updateRefs'),
  /** Checks out `ref` in `app.dir`. */
  switchRef: notProvided<AppCheckout, SwitchRefInput>('app', 'switchRef'),
  /** Deletes `app.dir` and everything in it. */
  removeFiles: notProvided<unknown, AppActorInput>('app', 'removeFiles'),
  /**
   * Deletes only what a failed install wrote (its staging folder), never `app.dir`: an app of
   * the same name may already be installed there.
   */
  discardInstall: notProvided<unknown, AppActorInput>('app', 'discardInstall'),
};

import type { RunAs } from '../actors/git/run-as.js';
import type { AppInfo } from '../types/info.js';
import { cloneRepo } from './clone.js';
import type { AppCheckout, AppInput, CheckedOutRef } from './context.js';
import { discardStaging, type InstallResult, installDependencies } from './install.js';
import { adoptClone } from './provisional-clone.js';
import { currentRef, type GitRef, listRefs, switchRef, updateRefs } from './refs.js';
import { removeFiles } from './remove.js';
import { runAsForApp } from './run-as.js';

export type { AppCheckout, AppInput, AppOperationContext, CheckedOutRef } from './context.js';
export type { GitRef } from './refs.js';
export type { InstallResult } from './install.js';
export {
  cloneRepo,
  currentRef,
  discardStaging,
  installDependencies,
  listRefs,
  removeFiles,
  switchRef,
  updateRefs,
};

export interface AppOperationsOptions {
  appsRoot: string;
  /** Who runs git and npm for an app; default `runAsForApp` (its user when the daemon is root). */
  runAsFor?: (app: AppInfo) => Promise<RunAs | null>;
  /** Output of git and npm, tagged with the app it belongs to. */
  onOutput?: (app: AppInfo, chunk: string) => void;
}

/** Input of the app chart's invoked actors, plus the abort signal XState hands a promise actor. */
export interface AppActorInput {
  app: AppInfo;
  signal?: AbortSignal;
}

/**
 * The app chart's actors bound to an apps root, named as the chart invokes them.
 *
 * @example
 * const ops = createAppOperations({ appsRoot });
 * appMachine.provide({ actors: {
 *   cloneRepo: fromPromise(({ input, signal }) => ops.cloneRepo({ ...input, signal })),
 * } });
 */
export function createAppOperations(options: AppOperationsOptions) {
  const runAsFor = options.runAsFor ?? ((app: AppInfo) => runAsForApp(app));
  const bind = async (input: AppActorInput): Promise<AppInput> => ({
    app: input.app,
    signal: input.signal,
    appsRoot: options.appsRoot,
    runAs: await runAsFor(input.app),
    onOutput: options.onOutput && ((chunk: string) => options.onOutput?.(input.app, chunk)),
  });
  return {
    cloneRepo: async (input: AppActorInput): Promise<AppCheckout> => cloneRepo(await bind(input)),
    /** `cloneRepo` for an app whose clone was made first to learn its name (provisional-clone.ts). */
    adoptClone: async (input: AppActorInput & { repo: string }): Promise<AppCheckout> =>
      adoptClone({ ...(await bind(input)), repo: input.repo }),
    installDependencies: async (input: AppActorInput): Promise<InstallResult> =>
      installDependencies(await bind(input)),
    updateRefs: async (input: AppActorInput): Promise<string[]> => updateRefs(await bind(input)),
    switchRef: async (input: AppActorInput & { ref: string }): Promise<AppCheckout> =>
      switchRef({ ...(await bind(input)), ref: input.ref }),
    removeFiles: async (input: AppActorInput): Promise<void> => removeFiles(await bind(input)),
    currentRef: async (input: AppActorInput): Promise<CheckedOutRef> =>
      currentRef(await bind(input)),
    listRefs: async (input: AppActorInput): Promise<GitRef[]> => listRefs(await bind(input)),
    discardStaging: async (input: AppActorInput): Promise<void> =>
      discardStaging(await bind(input)),
  };
}

export type AppOperations = ReturnType<typeof createAppOperations>;

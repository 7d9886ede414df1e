import { chown, mkdir, rm } from '../fs/async-fs.js';
import { dirname } from 'node:path';
import { git } from '../actors/git/git.js';
import type { RunAs } from '../actors/git/run-as.js';
import { GuvError } from '../errors.js';
import { checkedAppDir, stagingDirFor } from './app-dir.js';
import type { AppCheckout, AppInput } from './context.js';
import { checkoutIn, headOf } from './refs.js';
import { parseRef, parseRepoUrl } from './validate.js';
import { pathExists } from './path-exists.js';

export interface CloneOptions {
  runAs?: RunAs | null;
  onOutput?: (chunk: string) => void;
  signal?: AbortSignal;
}

/**
 * Clone `url` into the new folder `target` (made here, owned by `runAs` when set, so git never
 * writes as root for an app with a user). On failure the folder is removed.
 */
export async function cloneInto(url: string, target: string, options: CloneOptions): Promise<void> {
  const checkedUrl = parseRepoUrl(url);
  await mkdir(target, { mode: 0o755 });
  try {
    if (options.runAs) await chown(target, options.runAs.uid, options.runAs.gid);
    await git(['clone', '--progress', '--', checkedUrl, target], {
      ...options,
      cwd: dirname(target),
    });
  } catch (error) {
    await rm(target, { recursive: true, force: true });
    throw error;
  }
}

/**
 * The `cloneRepo` actor: clone `app.url` into the app's staging folder (`.<name>.installing`
 * beside where it will live) and check out `app.ref` when one is asked for (else the default
 * branch; a commit id when the remote HEAD is detached). The app only
 * appears under its own name once `installDependencies` has succeeded.
 */
export function cloneRepo(input: AppInput): Promise<AppCheckout> {
  return checkoutInStaging(input, (staging) => cloneInto(input.app.url, staging, input));
}

/**
 * Fills the app's staging folder with a working tree (`fill`: a clone, or a clone made earlier
 * moved in) and checks out `app.ref`; refuses an app already installed, and leaves no staging
 * folder behind when the checkout fails.
 */
export async function checkoutInStaging(
  input: AppInput,
  fill: (staging: string) => Promise<void>,
): Promise<AppCheckout> {
  const { app, appsRoot } = input;
  const ref = app.ref === null ? null : parseRef(app.ref);
  const dir = await checkedAppDir(appsRoot, app);
  if (await pathExists(dir)) {
    throw new GuvError('GUV_APP_EXISTS', `app "${app.name}" is already installed in ${dir}`);
  }
  const staging = await stagingDirFor(appsRoot, app.name);
  // A staging folder left by a crash mid-install holds nothing worth keeping.
  await rm(staging, { recursive: true, force: true });
  await fill(staging);
  try {
    const repo = { ...input, cwd: staging };
    if (ref !== null) return await checkoutIn(repo, ref, app.name);
    const head = await headOf(repo);
    return { ref: head.ref ?? head.commit, commit: head.commit };
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

import { chmod, mkdtemp, rename, rm } from '../fs/async-fs.js';
import { join } from 'node:path';
import { realAppsRoot } from './app-dir.js';
import { checkoutInStaging, cloneInto } from './clone.js';
import type { AppCheckout, AppInput } from './context.js';
import { nameFor } from './install-app.js';
import { checkoutIn } from './refs.js';
import { parseRef, parseRepoUrl } from './validate.js';

/** A clone made before its app has a name, to read the name from its package.json. */
export interface ProvisionalClone {
  /** package.json's name without its scope, else the repository's folder name. */
  name: string;
  /** The working tree, handed to {@link adoptClone}. */
  repo: string;
  /** Deletes whatever is left of it (nothing, once adopted). */
  discard(): Promise<void>;
}

export interface ProvisionalCloneOptions extends Omit<AppInput, 'app'> {
  url: string;
  /** Read the name at this branch or tag; default: the default branch. */
  ref: string | null;
}

/**
 * `guv install <url>` without a name: clone into a hidden `.clone-*` folder under the apps
 * root and read the name there, so nothing is cloned twice; {@link adoptClone} then moves it
 * to the app's staging folder as the app chart's `cloneRepo` step.
 */
export async function cloneForName(options: ProvisionalCloneOptions): Promise<ProvisionalClone> {
  const url = parseRepoUrl(options.url);
  const ref = options.ref === null ? null : parseRef(options.ref);
  const holder = await mkdtemp(join(await realAppsRoot(options.appsRoot), '.clone-'));
  const discard = () => rm(holder, { recursive: true, force: true });
  try {
    // mkdtemp makes it 0700: the app's user must be able to enter it to clone inside.
    await chmod(holder, 0o755);
    const repo = join(holder, 'repo');
    await cloneInto(url, repo, options);
    if (ref !== null) {
      const label = await nameFor(repo, url, options.runAs ?? null).catch(() => url);
      await checkoutIn({ ...options, cwd: repo }, ref, label);
    }
    return { name: await nameFor(repo, url, options.runAs ?? null), repo, discard };
  } catch (error) {
    await discard();
    throw error;
  }
}

/**
 * The `cloneRepo` step for a {@link ProvisionalClone}: move it to the app's staging folder and
 * check out `app.ref` (else keep the default branch), as `cloneRepo` would have.
 */
export function adoptClone(input: AppInput & { repo: string }): Promise<AppCheckout> {
  return checkoutInStaging(input, (staging) => rename(input.repo, staging));
}

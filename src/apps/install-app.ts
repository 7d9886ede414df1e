import { chmod, mkdtemp, rename, rm } from '../fs/async-fs.js';
import { join } from 'node:path';
import type { RunAs } from '../actors/git/run-as.js';
import { GuvError } from '../errors.js';
import type { AppInfo } from '../types/info.js';
import { realAppsRoot, resolveAppDir, stagingDirFor } from './app-dir.js';
import { cloneInto } from './clone.js';
import { installDependencies } from './install.js';
import { readAppPackage } from './package-json.js';
import { pathExists } from './path-exists.js';
import { checkoutIn, headOf } from './refs.js';
import type { AppRegistry } from './registry.js';
import { parseAppName, parseRef, parseRepoUrl } from './validate.js';

export interface InstallAppRequest {
  url: string;
  /** Default: the package.json name (without its scope), else the repository's folder name. */
  name?: string;
  user?: string | null;
  /** Branch or tag to check out; default: the repository's default branch. */
  ref?: string | null;
  /** Resolves relative local paths in `url`. */
  cwd?: string;
}

export interface InstallAppContext {
  appsRoot: string;
  registry: AppRegistry;
  runAsFor: (app: { user: string | null }) => Promise<RunAs | null>;
  onOutput?: (chunk: string) => void;
  signal?: AbortSignal;
}

/**
 * Install an app in one transaction: clone into a hidden folder under the apps root, learn
 * the name, install dependencies, rename into place, then record it in the registry. Any
 * failure removes what was made; the registry gains an entry only for a finished install.
 */
export async function installApp(
  request: InstallAppRequest,
  ctx: InstallAppContext,
): Promise<AppInfo> {
  const url = parseRepoUrl(request.url, { cwd: request.cwd });
  const ref = request.ref ? parseRef(request.ref) : null;
  const user = request.user ?? null;
  if (request.name !== undefined) await assertFree(parseAppName(request.name), ctx);
  const runAs = await ctx.runAsFor({ user });
  const gitOptions = { runAs, onOutput: ctx.onOutput, signal: ctx.signal };

  const holder = await mkdtemp(join(await realAppsRoot(ctx.appsRoot), '.clone-'));
  // mkdtemp makes it 0700: the app's user must be able to enter it to clone inside.
  await chmod(holder, 0o755);
  const temp = join(holder, 'repo');
  let staging: string | null = null;
  try {
    await cloneInto(url, temp, gitOptions);
    const name = request.name ?? (await nameFor(temp, url, runAs));
    await assertFree(name, ctx);
    const dir = await resolveAppDir(ctx.appsRoot, name);
    staging = await stagingDirFor(ctx.appsRoot, name);
    await rm(staging, { recursive: true, force: true });
    await rename(temp, staging);
    const repo = { ...gitOptions, cwd: staging };
    const head = ref === null ? await headOf(repo) : await checkoutIn(repo, ref, name);
    const app: AppInfo = { name, url, user, ref: head.ref, commit: head.commit, dir };
    await installDependencies({ app, appsRoot: ctx.appsRoot, ...gitOptions });
    try {
      return await ctx.registry.add(app);
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  } finally {
    await rm(holder, { recursive: true, force: true });
    if (staging) await rm(staging, { recursive: true, force: true });
  }
}

async function assertFree(name: string, ctx: InstallAppContext): Promise<void> {
  const dir = await resolveAppDir(ctx.appsRoot, name);
  if ((await ctx.registry.get(name)) || (await pathExists(dir))) {
    throw new GuvError('GUV_APP_EXISTS', `an app called "${name}" is already installed`);
  }
}

/** package.json's name (read as `runAs` when given), else the last part of the URL without `.git`. */
export async function nameFor(cloned: string, url: string, runAs: RunAs | null): Promise<string> {
  const fromPackage = (await readAppPackage(cloned, { runAs })).appName;
  if (fromPackage) return fromPackage;
  const last =
    url
      .replace(/[/\\]+$/, '')
      .split(/[/:\\]/)
      .at(-1) ?? '';
  try {
    return parseAppName(last.replace(/\.git$/, ''));
  } catch (error) {
    throw new GuvError(
      'GUV_BAD_APP_NAME',
      `cannot name the app from ${JSON.stringify(url)}: give it a name`,
      { cause: error },
    );
  }
}

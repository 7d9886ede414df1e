import { chown, mkdir, mkdtemp, rm, writeFile } from '../fs/async-fs.js';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { GIT_SAFETY_ENV } from '../actors/git/git.js';
import { rootGitEnv } from '../actors/git/root-git-env.js';
import type { RunAs } from '../actors/git/run-as.js';
import { type CommandResult, runCommand } from '../actors/git/run-command.js';
import { GuvError } from '../errors.js';
import { isReachable, pathExists } from './path-exists.js';

export interface NpmInstallPlan {
  lockfile: string | null;
  /** Who npm runs as (null: the daemon's user) and the daemon's own uid. */
  runAs: RunAs | null;
  daemonUid: number;
}

/** Whether npm would run as root: the daemon is root and the app has no user to run it as. */
export function npmRunsAsRoot(plan: Pick<NpmInstallPlan, 'runAs' | 'daemonUid'>): boolean {
  return plan.runAs === null && plan.daemonUid === 0;
}

/**
 * The npm command for an app's dependencies: `npm ci` with a lockfile, else `npm install`.
 * Lifecycle scripts are someone else's code: they run as the app's user when it has one, and
 * are skipped (`--ignore-scripts`) when they would otherwise run as a root daemon.
 */
export function npmInstallArgs(plan: NpmInstallPlan): string[] {
  const args = [plan.lockfile ? 'ci' : 'install', '--no-audit', '--no-fund'];
  if (npmRunsAsRoot(plan)) args.push('--ignore-scripts');
  return args;
}

export interface RunNpmOptions {
  cwd: string;
  runAs: RunAs | null;
  /** npm runs as root for code nobody vetted: it may read no config but guv's (npmRunsAsRoot). */
  asRoot?: boolean;
  onOutput?: (chunk: string) => void;
  signal?: AbortSignal;
}

/** Run npm (the one shipped beside this node when present) and throw GUV_NPM_FAILED on failure. */
export async function runNpm(args: readonly string[], options: RunNpmOptions): Promise<string> {
  const cli = join(
    dirname(process.execPath),
    '..',
    'lib',
    'node_modules',
    'npm',
    'bin',
    'npm-cli.js',
  );
  const env: Record<string, string | undefined> = {
    ...(options.runAs ? options.runAs.env : process.env),
    npm_config_update_notifier: 'false',
  };
  if (options.runAs) {
    const cache = await cacheWithoutHome(options.runAs, options.cwd);
    if (cache) env.npm_config_cache = cache;
  }
  const [file, fileArgs] = (await isReachable(cli))
    ? [process.execPath, [cli, ...args]]
    : ['npm', [...args]];
  const rootConfig = options.asRoot ? await rootOnlyConfig(options.cwd) : null;
  if (rootConfig) Object.assign(env, rootGitEnv(), GIT_SAFETY_ENV);
  let result: CommandResult;
  try {
    result = await runCommand(file, [...fileArgs, ...(rootConfig?.args ?? [])], {
      cwd: options.cwd,
      env,
      runAs: options.runAs,
      onOutput: options.onOutput,
      signal: options.signal,
    });
  } catch (error) {
    throw new GuvError('GUV_NPM_FAILED', `npm could not start: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    await rootConfig?.remove();
  }
  if (result.exitCode !== 0) {
    const complaint = result.stderr
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.startsWith('npm error') || line.startsWith('npm ERR!'))
      .slice(0, 3)
      .join(' / ');
    throw new GuvError(
      'GUV_NPM_FAILED',
      `npm ${args[0]} failed (exit ${result.exitCode})${complaint ? `: ${complaint}` : ''}`,
      { cause: Object.assign(new Error(result.stderr), { exitCode: result.exitCode }) },
    );
  }
  return result.stdout;
}

/**
 * npm as root reads guv's empty user and global config, and the project is pinned to `cwd`
 * (`--prefix`): left alone, npm walks up from `cwd` to any package.json whose `workspaces`
 * take the app in and reads the `.npmrc` there. npm has no switch to skip the project's own
 * `.npmrc` (`--userconfig` and `--globalconfig` leave it read), and one line such as
 * `git=./evil.sh` makes npm run a program of the repository's as root, so a checkout with an
 * `.npmrc` is refused. Moving it aside instead would quietly drop settings such as a scope's
 * registry and fetch those packages from the public registry.
 */
async function rootOnlyConfig(cwd: string): Promise<{ args: string[]; remove(): Promise<void> }> {
  if (await pathExists(join(cwd, '.npmrc'))) {
    throw new GuvError(
      'GUV_NPMRC_REFUSED',
      'refusing to run npm as root for a repository with an .npmrc (it can make npm run its programs): install the app with --user <user>, or remove .npmrc from the repository',
    );
  }
  // mkdtemp: a fresh 0700 folder of root's, so no other user can have put anything in it.
  const dir = await mkdtemp(join(tmpdir(), 'guv-npmrc-'));
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    // npm refuses one file as both: two empty files.
    const user = join(dir, 'user');
    const global = join(dir, 'global');
    await writeFile(user, '', { flag: 'wx', mode: 0o600 });
    await writeFile(global, '', { flag: 'wx', mode: 0o600 });
    return {
      args: [`--userconfig=${user}`, `--globalconfig=${global}`, `--prefix=${cwd}`],
      remove,
    };
  } catch (error) {
    await remove();
    throw error;
  }
}

/**
 * npm cannot work without a writable cache, normally `~/.npm`. Service users such as
 * `nobody` have no home, so they get `<apps root>/.npm-cache/<uid>` (0700, theirs).
 */
async function cacheWithoutHome(runAs: RunAs, cwd: string): Promise<string | null> {
  if (runAs.env.HOME && (await isReachable(runAs.env.HOME))) return null;
  const caches = join(dirname(cwd), '.npm-cache');
  await mkdir(caches, { recursive: true, mode: 0o755 });
  const cache = join(caches, String(runAs.uid));
  await mkdir(cache, { recursive: true, mode: 0o700 });
  await chown(cache, runAs.uid, runAs.gid);
  return cache;
}

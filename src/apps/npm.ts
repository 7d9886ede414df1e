import { chown, mkdir } from '../fs/async-fs.js';
import { dirname, join } from 'node:path';
import type { RunAs } from '../actors/git/run-as.js';
import { type CommandResult, runCommand } from '../actors/git/run-command.js';
import { GuvError } from '../errors.js';
import { isReachable } from './path-exists.js';

export interface NpmInstallPlan {
  lockfile: string | null;
  /** Who npm runs as (null: the daemon's user) and the daemon's own uid. */
  runAs: RunAs | null;
  daemonUid: number;
}

/**
 * The npm command for an app's dependencies: `npm ci` with a lockfile, else `npm install`.
 * Lifecycle scripts are someone else's code: they run as the app's user when it has one, and
 * are skipped (`--ignore-scripts`) when they would otherwise run as a root daemon.
 */
export function npmInstallArgs(plan: NpmInstallPlan): string[] {
  const args = [plan.lockfile ? 'ci' : 'install', '--no-audit', '--no-fund'];
  if (plan.runAs === null && plan.daemonUid === 0) args.push('--ignore-scripts');
  return args;
}

export interface RunNpmOptions {
  cwd: string;
  runAs: RunAs | null;
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
  const [file, fileArgs] = (await isReachable(cli))
    ? [process.execPath, [cli, ...args]]
    : ['npm', [...args]];
  const env: Record<string, string | undefined> = {
    ...(options.runAs ? options.runAs.env : process.env),
    npm_config_update_notifier: 'false',
  };
  if (options.runAs) {
    const cache = await cacheWithoutHome(options.runAs, options.cwd);
    if (cache) env.npm_config_cache = cache;
  }
  let result: CommandResult;
  try {
    result = await runCommand(file, fileArgs, {
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

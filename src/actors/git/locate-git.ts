import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, realpath } from '../../fs/async-fs.js';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { GuvError } from '../../errors.js';

/** Where the git that guv runs comes from, and the variables dugite needs to find it. */
export interface GitLocation {
  /** `embedded`: dugite's own build; `system`: a `git` on PATH; `env`: LOCAL_GIT_DIRECTORY was set. */
  source: 'embedded' | 'system' | 'env';
  /** Merged into every git call's environment (empty for the embedded git). */
  env: Record<string, string>;
  /** The git binary dugite will run. */
  binary: string;
}

export interface LocateGitDeps {
  /** dugite's embedded git folder (it holds `bin/git` only when dugite's install script ran). */
  embeddedDir: string;
  /** The PATH to search for a system git. */
  path: string | undefined;
  /** LOCAL_GIT_DIRECTORY / GIT_EXEC_PATH already chosen by whoever started guv. */
  localGitDirectory: string | undefined;
  gitExecPath: string | undefined;
  /** What `<git> --exec-path` prints. */
  execPathOf: (git: string) => Promise<string>;
}

const MISSING =
  'git not found: dugite has no embedded git (its install script did not run) and there is no ' +
  '`git` on PATH; install git or set LOCAL_GIT_DIRECTORY to its prefix (e.g. /usr)';

/**
 * Find git: an explicit LOCAL_GIT_DIRECTORY first, then dugite's embedded build, then the first
 * `git` on PATH, whose prefix (`/usr` for `/usr/bin/git`) and exec path are handed to dugite.
 */
export async function locateGit(deps: LocateGitDeps): Promise<GitLocation> {
  if (deps.localGitDirectory) {
    const binary = join(deps.localGitDirectory, 'bin', 'git');
    if (!(await isExecutable(binary))) {
      throw new GuvError(
        'GUV_GIT_MISSING',
        `git not found: LOCAL_GIT_DIRECTORY is "${deps.localGitDirectory}" but ${binary} is not an executable`,
      );
    }
    const env: Record<string, string> = { LOCAL_GIT_DIRECTORY: deps.localGitDirectory };
    env.GIT_EXEC_PATH = deps.gitExecPath || (await deps.execPathOf(binary));
    return { source: 'env', env, binary };
  }
  const embedded = join(deps.embeddedDir, 'bin', 'git');
  if (await isExecutable(embedded)) return { source: 'embedded', env: {}, binary: embedded };

  for (const folder of (deps.path ?? '').split(delimiter)) {
    if (!folder) continue;
    const candidate = join(folder, 'git');
    if (!(await isExecutable(candidate))) continue;
    // dugite runs `<LOCAL_GIT_DIRECTORY>/bin/git`, so use the prefix of the real binary.
    const binary = await realpath(candidate);
    const prefix = dirname(dirname(binary));
    if (!(await isExecutable(join(prefix, 'bin', 'git')))) continue;
    const execPath = await deps.execPathOf(binary);
    return {
      source: 'system',
      env: { LOCAL_GIT_DIRECTORY: prefix, GIT_EXEC_PATH: execPath },
      binary: join(prefix, 'bin', 'git'),
    };
  }
  throw new GuvError('GUV_GIT_MISSING', MISSING);
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const execFileAsync = promisify(execFile);

async function execPathOf(git: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync(git, ['--exec-path']);
    return stdout.trim();
  } catch (error) {
    throw new GuvError('GUV_GIT_MISSING', `git at ${git} does not run: ${String(error)}`, {
      cause: error,
    });
  }
}

let located: Promise<GitLocation> | undefined;

/** The git guv uses, found once on first use (a failed search is retried next time). */
export function gitLocation(): Promise<GitLocation> {
  // dugite is loaded on first use: a daemon that never touches git never pays for it.
  located ??= import('dugite')
    .then(({ resolveEmbeddedGitDir }) =>
      locateGit({
        embeddedDir: resolveEmbeddedGitDir(),
        path: process.env.PATH,
        localGitDirectory: process.env.LOCAL_GIT_DIRECTORY,
        gitExecPath: process.env.GIT_EXEC_PATH,
        execPathOf,
      }),
    )
    .catch((error: unknown) => {
      located = undefined;
      throw error;
    });
  return located;
}

import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'guv test',
  GIT_AUTHOR_EMAIL: 'test@guv.invalid',
  GIT_COMMITTER_NAME: 'guv test',
  GIT_COMMITTER_EMAIL: 'test@guv.invalid',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
};

/** Plain system git for building fixtures (not the code under test). */
export function sh(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' });
}

/** A temp folder everybody may enter (tests drop to `nobody`); remove it with `rm`. */
export async function makeTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await chmod(dir, 0o755);
  return dir;
}

export async function removeDir(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}

export interface DemoRepo {
  dir: string;
  url: string;
}

/**
 * A repository with package.json (name `demo-app`, no dependencies) and a matching lockfile:
 * `main` has index.js printing "v2", tag `v1` (annotated) has "v1", branch `dev` adds dev.txt.
 */
export async function makeDemoRepo(
  parent: string,
  options: { packageJson?: object | null; lockfile?: boolean } = {},
): Promise<DemoRepo> {
  const dir = join(parent, 'origin');
  await mkdir(dir);
  sh(dir, 'init', '-q', '-b', 'main');
  const pkg =
    options.packageJson === undefined
      ? { name: 'demo-app', version: '1.0.0', main: 'index.js' }
      : options.packageJson;
  if (pkg) {
    await writeFile(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
    if (options.lockfile ?? true) {
      const { name = 'demo-app', version = '1.0.0' } = pkg as { name?: string; version?: string };
      const lock = {
        name,
        version,
        lockfileVersion: 3,
        requires: true,
        packages: { '': { name, version } },
      };
      await writeFile(join(dir, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
    }
  }
  await writeFile(join(dir, 'index.js'), "console.log('v1');\n");
  sh(dir, 'add', '-A');
  sh(dir, 'commit', '-q', '-m', 'v1');
  sh(dir, 'tag', '-a', '-m', 'release v1', 'v1');
  await writeFile(join(dir, 'index.js'), "console.log('v2');\n");
  sh(dir, 'commit', '-q', '-am', 'v2');
  sh(dir, 'checkout', '-q', '-b', 'dev');
  await writeFile(join(dir, 'dev.txt'), 'dev\n');
  sh(dir, 'add', 'dev.txt');
  sh(dir, 'commit', '-q', '-m', 'dev');
  sh(dir, 'checkout', '-q', 'main');
  return { dir, url: `file://${dir}` };
}

import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gitLocation, locateGit } from '../../src/actors/git/locate-git.js';
import { git } from '../../src/actors/git/git.js';
import { makeTempDir, removeDir } from './git-fixtures.js';

let base: string;
beforeEach(async () => {
  base = await makeTempDir('guv-locate-');
});
afterEach(async () => {
  await removeDir(base);
});

async function fakeGit(prefix: string): Promise<string> {
  await mkdir(join(prefix, 'bin'), { recursive: true });
  const binary = join(prefix, 'bin', 'git');
  await writeFile(binary, '#!/bin/sh\n');
  await chmod(binary, 0o755);
  return binary;
}

const deps = (over: Partial<Parameters<typeof locateGit>[0]>) => ({
  embeddedDir: '/nonexistent/dugite/git',
  path: '',
  localGitDirectory: undefined,
  gitExecPath: undefined,
  execPathOf: async (git: string) => `${git}-core`,
  ...over,
});

describe('locateGit', () => {
  it('prefers dugite’s embedded git when its install script ran', async () => {
    const embedded = join(base, 'embedded');
    await fakeGit(embedded);
    await fakeGit(join(base, 'usr'));
    const found = await locateGit(deps({ embeddedDir: embedded, path: join(base, 'usr', 'bin') }));
    expect(found).toEqual({ source: 'embedded', env: {}, binary: join(embedded, 'bin', 'git') });
  });

  it('falls back to the first git on PATH, giving dugite its prefix and exec path', async () => {
    const binary = await fakeGit(join(base, 'usr'));
    const found = await locateGit(
      deps({ path: `${join(base, 'nothing')}:${join(base, 'usr', 'bin')}` }),
    );
    expect(found).toEqual({
      source: 'system',
      env: { LOCAL_GIT_DIRECTORY: join(base, 'usr'), GIT_EXEC_PATH: `${binary}-core` },
      binary,
    });
  });

  it('honours LOCAL_GIT_DIRECTORY set by whoever started guv', async () => {
    await fakeGit(join(base, 'opt'));
    const found = await locateGit(
      deps({ localGitDirectory: join(base, 'opt'), gitExecPath: '/opt/libexec' }),
    );
    expect(found.source).toBe('env');
    expect(found.env).toEqual({
      LOCAL_GIT_DIRECTORY: join(base, 'opt'),
      GIT_EXEC_PATH: '/opt/libexec',
    });
  });

  it('fails with GUV_GIT_MISSING and one clear line when there is no git at all', async () => {
    await expect(locateGit(deps({ path: join(base, 'empty') }))).rejects.toMatchObject({
      code: 'GUV_GIT_MISSING',
      message: expect.stringMatching(/^git not found: .*install git/),
    });
  });
});

describe('gitLocation on this machine', () => {
  it('finds a git that runs through dugite', async () => {
    const found = await gitLocation();
    expect(['embedded', 'system', 'env']).toContain(found.source);
    expect(await git(['--version'], { cwd: base })).toMatch(/^git version /);
  });
});

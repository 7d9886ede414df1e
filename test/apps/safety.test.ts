import { access, mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runGit } from '../../src/actors/git/git.js';
import { resolveAppDir } from '../../src/apps/app-dir.js';
import { installApp } from '../../src/apps/install-app.js';
import {
  cloneRepo,
  installDependencies,
  removeFiles,
  switchRef,
} from '../../src/apps/operations.js';
import { createAppRegistry } from '../../src/apps/registry.js';
import type { AppInfo } from '../../src/types/info.js';
import { type DemoRepo, makeDemoRepo, makeTempDir, removeDir } from './git-fixtures.js';

let base: string;
let appsRoot: string;
let marker: string;
let repo: DemoRepo;

beforeEach(async () => {
  base = await makeTempDir('guv-safety-');
  appsRoot = join(base, 'apps');
  await mkdir(appsRoot, { mode: 0o755 });
  marker = join(base, 'marker');
  repo = await makeDemoRepo(base);
});
afterEach(async () => {
  await removeDir(base);
});

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

const appInfo = (name: string, url: string): AppInfo => ({
  name,
  url,
  user: null,
  ref: null,
  commit: null,
  dir: join(appsRoot, name),
});

const install = (request: Parameters<typeof installApp>[0]) =>
  installApp(request, {
    appsRoot,
    registry: createAppRegistry(join(base, 'apps.json')),
    runAsFor: async () => null,
  });

describe('hostile repository URLs', () => {
  it('refuses a URL starting with "-" (--upload-pack) and runs nothing', async () => {
    const url = `--upload-pack=touch ${marker}`;
    await expect(install({ url, name: 'x' })).rejects.toMatchObject({
      code: 'GUV_BAD_REPO_URL',
      message: `refusing repository URL "${url}": it starts with "-" and git would read it as an option`,
    });
    await expect(cloneRepo({ app: appInfo('x', url), appsRoot })).rejects.toMatchObject({
      code: 'GUV_BAD_REPO_URL',
    });
    expect(await exists(marker)).toBe(false);
    expect(await readdir(appsRoot)).toEqual([]);
  });

  it('refuses ext:: remote helpers and runs nothing', async () => {
    const url = `ext::sh -c touch% ${marker}`;
    await expect(install({ url, name: 'x' })).rejects.toMatchObject({
      code: 'GUV_BAD_REPO_URL',
      message: expect.stringContaining('remote helpers are not allowed'),
    });
    await expect(cloneRepo({ app: appInfo('x', url), appsRoot })).rejects.toMatchObject({
      code: 'GUV_BAD_REPO_URL',
    });
    expect(await exists(marker)).toBe(false);
  });

  it('even unvalidated, git given "--" and guv’s protocol list runs neither', async () => {
    const upload = await runGit(['clone', '--', `--upload-pack=touch ${marker}`, 'a'], {
      cwd: base,
    });
    expect(upload.exitCode).not.toBe(0);
    const ext = await runGit(['clone', '--', `ext::sh -c touch% ${marker}`, 'b'], { cwd: base });
    expect(ext.exitCode).not.toBe(0);
    expect(ext.stderr).toMatch(/transport 'ext' not allowed/);
    expect(await exists(marker)).toBe(false);
  });
});

describe('git as root', () => {
  it('reads no system or global config, and the keys that name programs run nothing', async () => {
    const global = join(base, 'global.gitconfig');
    await writeFile(global, '[core]\n\thooksPath = /evil/hooks\n[filter "x"]\n\tsmudge = evil\n');
    const saved = process.env.GIT_CONFIG_GLOBAL;
    process.env.GIT_CONFIG_GLOBAL = global;
    try {
      const get = async (key: string, daemonUid: number) =>
        (await runGit(['config', '--get', key], { cwd: base, daemonUid })).stdout.trim();
      // A daemon that is not root reads the config of its user, as any git would.
      expect(await get('core.hooksPath', 1000)).toBe('/evil/hooks');
      expect(await get('filter.x.smudge', 1000)).toBe('evil');
      expect(await get('core.hooksPath', 0)).toBe('/dev/null');
      expect(await get('filter.x.smudge', 0)).toBe('');
      expect(await get('core.fsmonitor', 0)).toBe('');
      expect(await get('protocol.ext.allow', 0)).toBe('never');
    } finally {
      if (saved === undefined) delete process.env.GIT_CONFIG_GLOBAL;
      else process.env.GIT_CONFIG_GLOBAL = saved;
    }
  });
});

describe('git output', () => {
  it('a git that prints more than its cap is stopped with one line, not held in memory', async () => {
    // A repository decides how many refs it has: 200 refs × ~60 characters is well over 4 KiB.
    const repoDir = repo.dir;
    const refs = Array.from({ length: 200 }, (_, i) => `refs/tags/${'t'.repeat(50)}-${i}`);
    for (const ref of refs) await runGit(['update-ref', ref, 'HEAD'], { cwd: repoDir });
    await expect(
      runGit(['for-each-ref', '--format=%(refname)'], { cwd: repoDir, maxOutput: 4096 }),
    ).rejects.toMatchObject({
      code: 'GUV_GIT_FAILED',
      message: 'git for-each-ref printed more than 4096 characters and was stopped',
    });
    const all = await runGit(['for-each-ref', '--format=%(refname)'], { cwd: repoDir });
    expect(all.stdout.split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(200);
  });
});

describe('hostile refs', () => {
  it('refuses a ref starting with "-" before git sees it', async () => {
    const app = appInfo('app', repo.url);
    await cloneRepo({ app, appsRoot });
    await installDependencies({ app, appsRoot });
    for (const ref of ['-b', `--upload-pack=touch ${marker}`, '--orphan=evil']) {
      await expect(switchRef({ app, appsRoot, ref })).rejects.toMatchObject({
        code: 'GUV_BAD_REF',
        message: `invalid ref ${JSON.stringify(ref)}: it starts with "-"`,
      });
    }
    await expect(install({ url: repo.url, name: 'other', ref: '-b' })).rejects.toMatchObject({
      code: 'GUV_BAD_REF',
    });
    expect(await exists(marker)).toBe(false);
  });
});

describe('hostile app names and folders', () => {
  it.each(['a/b', '..', '../escape', '.hidden'])('refuses the name %j', async (name) => {
    await expect(install({ url: repo.url, name })).rejects.toMatchObject({
      code: 'GUV_BAD_APP_NAME',
      message: expect.stringContaining(JSON.stringify(name)),
    });
    await expect(resolveAppDir(appsRoot, name)).rejects.toMatchObject({
      code: 'GUV_BAD_APP_NAME',
    });
    expect(await readdir(appsRoot)).toEqual([]);
  });

  it('refuses an app folder that is a symlink out of the root, and deletes nothing', async () => {
    const outside = join(base, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'precious'), 'keep me');
    await symlink(outside, join(appsRoot, 'evil'));
    const app = appInfo('evil', repo.url);
    await expect(resolveAppDir(appsRoot, 'evil')).rejects.toMatchObject({
      code: 'GUV_UNSAFE_PATH',
      message: expect.stringContaining('symlink'),
    });
    await expect(removeFiles({ app, appsRoot })).rejects.toMatchObject({ code: 'GUV_UNSAFE_PATH' });
    await expect(cloneRepo({ app, appsRoot })).rejects.toMatchObject({ code: 'GUV_UNSAFE_PATH' });
    await expect(switchRef({ app, appsRoot, ref: 'main' })).rejects.toMatchObject({
      code: 'GUV_UNSAFE_PATH',
    });
    expect(await exists(join(outside, 'precious'))).toBe(true);
  });

  it('refuses an AppInfo whose dir is not <root>/<name>', async () => {
    const outside = join(base, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'precious'), 'keep me');
    const app = { ...appInfo('legit', repo.url), dir: outside };
    await expect(removeFiles({ app, appsRoot })).rejects.toMatchObject({
      code: 'GUV_UNSAFE_PATH',
      message: expect.stringContaining('is not'),
    });
    expect(await exists(join(outside, 'precious'))).toBe(true);
  });

  it('follows a symlinked apps root itself (the root may live anywhere)', async () => {
    await symlink(appsRoot, join(base, 'root-link'));
    expect(await resolveAppDir(join(base, 'root-link'), 'shop')).toBe(join(appsRoot, 'shop'));
  });
});

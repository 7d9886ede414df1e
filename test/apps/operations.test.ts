import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installApp } from '../../src/apps/install-app.js';
import {
  cloneRepo,
  createAppOperations,
  currentRef,
  installDependencies,
  listRefs,
  removeFiles,
  switchRef,
  updateRefs,
} from '../../src/apps/operations.js';
import { type AppRegistry, createAppRegistry } from '../../src/apps/registry.js';
import type { AppInfo } from '../../src/types/info.js';
import { type DemoRepo, makeDemoRepo, makeTempDir, removeDir, sh } from './git-fixtures.js';

let base: string;
let appsRoot: string;
let repo: DemoRepo;
let registry: AppRegistry;
const noUser = async () => null;

beforeEach(async () => {
  base = await makeTempDir('guv-apps-');
  appsRoot = join(base, 'apps');
  await mkdir(appsRoot, { mode: 0o755 });
  repo = await makeDemoRepo(base);
  registry = createAppRegistry(join(base, 'apps.json'));
});
afterEach(async () => {
  await removeDir(base);
});

const appInfo = (name: string, url: string, user: string | null = null): AppInfo => ({
  name,
  url,
  user,
  ref: null,
  commit: null,
  dir: join(appsRoot, name),
});

describe('installApp', () => {
  it('clones over file://, names the app from package.json, runs npm ci, records it', async () => {
    let output = '';
    const app = await installApp(
      { url: repo.url },
      { appsRoot, registry, runAsFor: noUser, onOutput: (chunk) => (output += chunk) },
    );
    expect(app).toEqual({
      name: 'demo-app',
      url: repo.url,
      user: null,
      ref: 'main',
      commit: sh(repo.dir, 'rev-parse', 'main').trim(),
      dir: join(appsRoot, 'demo-app'),
    });
    expect(await readFile(join(app.dir, 'index.js'), 'utf8')).toContain('v2');
    expect(output).toMatch(/Cloning into/);
    expect(await registry.list()).toEqual([app]);
    // Only the app folder is left in the root: no staging or temporary clone.
    expect(await readdir(appsRoot)).toEqual(['demo-app']);
  });

  it('takes an explicit name and ref, and a plain path as URL', async () => {
    const app = await installApp(
      { url: repo.dir, name: 'shop', ref: 'v1' },
      { appsRoot, registry, runAsFor: noUser },
    );
    expect(app).toMatchObject({ name: 'shop', ref: 'v1' });
    expect(await readFile(join(app.dir, 'index.js'), 'utf8')).toContain('v1');
  });

  it('refuses a name already installed, before cloning', async () => {
    await installApp({ url: repo.url }, { appsRoot, registry, runAsFor: noUser });
    await expect(
      installApp({ url: repo.url, name: 'demo-app' }, { appsRoot, registry, runAsFor: noUser }),
    ).rejects.toMatchObject({ code: 'GUV_APP_EXISTS' });
  });

  it('leaves nothing behind when npm fails: no folder, no registry entry', async () => {
    const broken = await makeTempDir('guv-broken-');
    try {
      const bad = await makeDemoRepo(broken, {
        packageJson: {
          name: 'broken',
          version: '1.0.0',
          dependencies: { missing: 'file:./missing.tgz' },
        },
        lockfile: false,
      });
      await expect(
        installApp({ url: bad.url }, { appsRoot, registry, runAsFor: noUser }),
      ).rejects.toMatchObject({ code: 'GUV_NPM_FAILED' });
      expect(await readdir(appsRoot)).toEqual([]);
      expect(await registry.list()).toEqual([]);
    } finally {
      await removeDir(broken);
    }
  });

  it('leaves nothing behind when the clone fails', async () => {
    await expect(
      installApp(
        { url: `file://${join(base, 'no-such-repo')}`, name: 'ghost' },
        { appsRoot, registry, runAsFor: noUser },
      ),
    ).rejects.toMatchObject({ code: 'GUV_GIT_FAILED' });
    expect(await readdir(appsRoot)).toEqual([]);
    expect(await registry.list()).toEqual([]);
  });
});

describe('the app chart’s actors', () => {
  it('cloneRepo stages, installDependencies renames into place', async () => {
    const app = appInfo('staged', repo.dir);
    const cloned = await cloneRepo({ app, appsRoot });
    expect(cloned).toEqual({ ref: 'main', commit: sh(repo.dir, 'rev-parse', 'main').trim() });
    expect(await readdir(appsRoot)).toEqual(['.staged.installing']);
    const installed = await installDependencies({ app, appsRoot });
    expect(installed.npmArgs?.[0]).toBe('ci');
    expect(await readdir(appsRoot)).toEqual(['staged']);
    // Run again on an installed app (after a ref switch): installs in place.
    await installDependencies({ app, appsRoot });
    expect(await readdir(appsRoot)).toEqual(['staged']);
  });

  it('uses npm install when there is no lockfile, and skips npm without package.json', async () => {
    const other = await makeTempDir('guv-nolock-');
    try {
      const noLock = await makeDemoRepo(other, { lockfile: false });
      const app = appInfo('nolock', noLock.url);
      await cloneRepo({ app, appsRoot });
      expect((await installDependencies({ app, appsRoot })).npmArgs?.[0]).toBe('install');
      await removeDir(join(other, 'origin'));
      const bare = await makeDemoRepo(other, { packageJson: null });
      const plain = appInfo('plain', bare.url);
      await cloneRepo({ app: plain, appsRoot });
      expect(await installDependencies({ app: plain, appsRoot })).toEqual({ npmArgs: null });
    } finally {
      await removeDir(other);
    }
  });

  it('lists refs, switches to a tag and a branch, reports the current ref', async () => {
    const seen: string[] = [];
    const ops = createAppOperations({
      appsRoot,
      runAsFor: noUser,
      onOutput: (forApp, chunk) => seen.push(`${forApp.name}: ${chunk}`),
    });
    const app = appInfo('refs', repo.url);
    await ops.cloneRepo({ app });
    await ops.installDependencies({ app });
    expect(seen.join('')).toMatch(/^refs: Cloning into/);

    const refs = await listRefs({ app, appsRoot });
    const commit = (ref: string) => sh(repo.dir, 'rev-parse', `${ref}^{commit}`).trim();
    expect(refs).toEqual([
      { name: 'dev', commit: commit('dev'), kind: 'branch' },
      { name: 'main', commit: commit('main'), kind: 'branch' },
      { name: 'v1', commit: commit('v1'), kind: 'tag' },
    ]);

    expect(await ops.switchRef({ app, ref: 'v1' })).toEqual({ ref: 'v1', commit: commit('v1') });
    expect(await readFile(join(app.dir, 'index.js'), 'utf8')).toContain('v1');
    expect(await currentRef({ app, appsRoot })).toEqual({ ref: 'v1', commit: commit('v1') });

    expect(await switchRef({ app, appsRoot, ref: 'dev' })).toEqual({
      ref: 'dev',
      commit: commit('dev'),
    });
    expect(await readFile(join(app.dir, 'dev.txt'), 'utf8')).toBe('dev\n');
    expect(await ops.currentRef({ app })).toEqual({ ref: 'dev', commit: commit('dev') });

    const v1 = commit('v1');
    expect(await switchRef({ app, appsRoot, ref: v1 })).toEqual({ ref: v1, commit: v1 });
    expect(await readFile(join(app.dir, 'index.js'), 'utf8')).toContain('v1');

    await expect(switchRef({ app, appsRoot, ref: 'nope' })).rejects.toMatchObject({
      code: 'GUV_REF_NOT_FOUND',
      message: 'app "refs" has no branch or tag "nope"',
    });
  });

  it('updateRefs sees a tag and a branch pushed after the clone', async () => {
    const app = appInfo('fetcher', repo.url);
    await cloneRepo({ app, appsRoot });
    await installDependencies({ app, appsRoot });
    sh(repo.dir, 'tag', 'v3');
    sh(repo.dir, 'branch', 'hotfix');
    const refs = await updateRefs({ app, appsRoot });
    expect(refs).toEqual(['dev', 'hotfix', 'main', 'v1', 'v3']);
    sh(repo.dir, 'branch', '-D', 'hotfix');
    expect(await updateRefs({ app, appsRoot })).toEqual(['dev', 'main', 'v1', 'v3']);
  });

  it('removeFiles deletes the app folder', async () => {
    const app = appInfo('doomed', repo.url);
    await cloneRepo({ app, appsRoot });
    await installDependencies({ app, appsRoot });
    await removeFiles({ app, appsRoot });
    await expect(stat(app.dir)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(appsRoot)).toEqual([]);
  });

  it('cloneRepo refuses an app that is already there', async () => {
    const app = appInfo('twice', repo.url);
    await cloneRepo({ app, appsRoot });
    await installDependencies({ app, appsRoot });
    await expect(cloneRepo({ app, appsRoot })).rejects.toMatchObject({ code: 'GUV_APP_EXISTS' });
  });

  it('a failed installDependencies deletes the staging folder', async () => {
    const app = appInfo('halfway', repo.url);
    await cloneRepo({ app, appsRoot });
    await writeFile(join(appsRoot, '.halfway.installing', 'package.json'), '{ not json');
    await expect(installDependencies({ app, appsRoot })).rejects.toMatchObject({
      code: 'GUV_BAD_PACKAGE_JSON',
    });
    expect(await readdir(appsRoot)).toEqual([]);
  });
});

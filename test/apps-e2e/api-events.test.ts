import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GuvClient } from '../../src/client/api.js';
import { makeTempDir, removeDir, sh } from '../apps/git-fixtures.js';
import {
  alive,
  cleanupHome,
  connectTo,
  daemonPid,
  eventually,
  makeHome,
  recordEvents,
  startDaemon,
  startTracked,
  type TestHome,
} from '../helpers/daemon-harness.js';
import { type AppRepo, makeAppRepo, runningVersion } from './app-repo.js';

let home: TestHome;
let base: string;
let repo: AppRepo;

beforeEach(async () => {
  home = makeHome();
  base = await makeTempDir('guv-apps-api-');
  repo = await makeAppRepo(base);
});
afterEach(async () => {
  await cleanupHome(home);
  await removeDir(base);
});

describe('the app API and its events', () => {
  it('publishes app:installed, app:refs:updated, app:refs:switched and app:removed with their arguments', async () => {
    const guv: GuvClient = await startDaemon(home);
    // Another connection watches, as any program using connect() would.
    const watcher = await connectTo(home);
    const seen = await recordEvents(watcher, 'app:*');
    const dir = join(home.dir, 'apps', 'web');

    const output: string[] = [];
    const installed = await guv.installApp(repo.dir, {
      name: 'web',
      ref: 'v1',
      onOutput: (chunk, subject) => output.push(`${subject}: ${chunk}`),
    });
    const onV1 = {
      name: 'web',
      url: repo.dir,
      user: null,
      ref: 'v1',
      commit: repo.commit('v1'),
      dir,
    };
    expect(installed).toEqual(onV1);
    expect((await seen.waitFor((e) => e.type === 'app:installed', 'app:installed')).args).toEqual([
      onV1,
    ]);
    expect(output.join('')).toMatch(/^web: Cloning into/);
    expect(output.join('')).toMatch(/up to date|added/);
    expect(await guv.listApps()).toEqual([{ ...onV1, state: 'installed' }]);
    expect(await guv.currentRef('web')).toEqual({ ref: 'v1', commit: repo.commit('v1') });

    await repo.release('v3');
    const refs = await guv.updateRefs('web');
    expect(refs).toContainEqual({ name: 'v3', commit: repo.commit('v3'), kind: 'tag' });
    expect(await guv.listRefs('web')).toEqual(refs);
    const updated = await seen.waitFor((e) => e.type === 'app:refs:updated', 'app:refs:updated');
    expect(updated.args).toEqual([onV1, ['dev', 'main', 'v1', 'v3']]);

    const probe = join(base, 'probe');
    await startTracked(guv, home, 'web', { env: { APP_PROBE: probe } });
    await runningVersion(probe, 'v1');
    const switched = await guv.setRef('web', 'v3');
    const onV3 = { ...onV1, ref: 'v3', commit: repo.commit('v3') };
    expect(switched).toEqual({ app: onV3, oldRef: 'v1', newRef: 'v3' });
    expect(
      (await seen.waitFor((e) => e.type === 'app:refs:switched', 'app:refs:switched')).args,
    ).toEqual([onV3, 'v1', 'v3']);
    await guv.restartProcess('web');
    await runningVersion(probe, 'v3');

    await expect(guv.removeApp('web')).rejects.toMatchObject({ code: 'GUV_APP_RUNNING' });
    expect(await guv.removeApp('web', { force: true })).toEqual(onV3);
    expect((await seen.waitFor((e) => e.type === 'app:removed', 'app:removed')).args).toEqual([
      onV3,
    ]);
    expect(existsSync(dir)).toBe(false);
    expect(await guv.listApps()).toEqual([]);
    expect(await guv.listProcesses()).toEqual([]);
    // Output goes only to callers that ask for it, never to watchers.
    expect(seen.events.filter((e) => e.type === 'app:output')).toEqual([]);
  }, 120_000);

  it('reports app:failed and rejects with the failure; a failed switch keeps the old ref', async () => {
    const guv = await startDaemon(home);
    const seen = await recordEvents(await connectTo(home), 'app:*');
    await expect(guv.installApp(repo.url, { ref: 'nope' })).rejects.toMatchObject({
      code: 'GUV_REF_NOT_FOUND',
    });
    await expect(guv.installApp(repo.url, { name: 'shop', ref: 'nope' })).rejects.toMatchObject({
      code: 'GUV_REF_NOT_FOUND',
      message: 'app "shop" has no branch or tag "nope"',
    });
    const failed = await seen.waitFor((e) => e.type === 'app:failed', 'app:failed');
    expect(failed.args).toEqual([
      expect.objectContaining({ name: 'shop', url: repo.url, ref: 'nope', commit: null }),
      expect.objectContaining({ code: 'GUV_REF_NOT_FOUND' }),
    ]);
    expect(await guv.listApps()).toEqual([]);

    const app = await guv.installApp(repo.url);
    expect(app.name).toBe('shop');
    await expect(guv.setRef('shop', 'nope')).rejects.toMatchObject({ code: 'GUV_REF_NOT_FOUND' });
    expect(await guv.currentRef('shop')).toEqual({ ref: 'main', commit: repo.commit('main') });
    await expect(guv.setRef('nothing', 'main')).rejects.toMatchObject({
      code: 'GUV_APP_NOT_FOUND',
    });
  }, 120_000);

  it('a switch whose dependencies fail goes back: the caller gets the npm failure, the app and its record stay on the old ref', async () => {
    // Branch `broken` depends on a package that is not there, so npm fails on it.
    sh(repo.dir, 'checkout', '-q', '-b', 'broken');
    await writeFile(
      join(repo.dir, 'package.json'),
      `${JSON.stringify({ name: '@acme/shop', version: '1.0.0', dependencies: { missing: 'file:./missing.tgz' } })}\n`,
    );
    sh(repo.dir, 'rm', '-q', 'package-lock.json');
    sh(repo.dir, 'commit', '-q', '-am', 'broken');
    sh(repo.dir, 'checkout', '-q', 'main');

    const guv = await startDaemon(home);
    const seen = await recordEvents(await connectTo(home), 'app:*');
    const onV1 = await guv.installApp(repo.url, { name: 'web', ref: 'v1' });
    expect(onV1).toMatchObject({ ref: 'v1', commit: repo.commit('v1') });

    await expect(guv.setRef('web', 'broken')).rejects.toMatchObject({
      message: expect.stringMatching(/^npm install failed/),
    });
    const failed = await seen.waitFor((e) => e.type === 'app:failed', 'app:failed');
    expect(failed.args).toEqual([
      onV1,
      expect.objectContaining({ message: expect.stringMatching(/^npm install failed/) }),
    ]);
    expect(seen.events.filter((e) => e.type === 'app:refs:switched')).toEqual([]);
    expect(await guv.currentRef('web')).toEqual({ ref: 'v1', commit: repo.commit('v1') });
    expect(await guv.listApps()).toEqual([{ ...onV1, state: 'installed' }]);

    // The record says v1 too: the next daemon brings the app back on it.
    await guv.disconnect();
    const oldDaemon = daemonPid(home);
    process.kill(oldDaemon, 'SIGTERM');
    await eventually(() => !alive(oldDaemon), 'the daemon to stop');
    const next = await startDaemon(home);
    expect(await next.listApps()).toEqual([{ ...onV1, state: 'installed' }]);
    // And a good switch after the failed one still works.
    expect(await next.setRef('web', 'dev')).toEqual({
      app: { ...onV1, ref: 'dev', commit: repo.commit('dev') },
      oldRef: 'v1',
      newRef: 'dev',
    });
  }, 180_000);

  it('one operation at a time: a concurrent install of the same name and a second switch are refused', async () => {
    const guv = await startDaemon(home);
    const [first, second] = await Promise.allSettled([
      guv.installApp(repo.url, { name: 'twin' }),
      guv.installApp(repo.dir, { name: 'twin' }),
    ]);
    const outcomes = [first.status, second.status].sort();
    expect(outcomes).toEqual(['fulfilled', 'rejected']);
    const loser = (first.status === 'rejected' ? first : second) as PromiseRejectedResult;
    expect(loser.reason).toMatchObject({ code: 'GUV_APP_EXISTS' });
    expect(await guv.listApps()).toHaveLength(1);
    expect(existsSync(join(home.dir, 'apps', 'twin', 'server.js'))).toBe(true);

    const [switched, busy] = await Promise.allSettled([
      guv.setRef('twin', 'v1'),
      guv.updateRefs('twin'),
    ]);
    expect(switched.status).toBe('fulfilled');
    expect((busy as PromiseRejectedResult).reason).toMatchObject({
      code: 'GUV_BUSY',
      message: expect.stringMatching(/^app "twin" cannot do that now: it is switchingRef\./),
    });
    expect(await guv.currentRef('twin')).toEqual({ ref: 'v1', commit: repo.commit('v1') });
  }, 120_000);
});

import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '../apps/git-fixtures.js';
import { alive, cleanupHome, guv, makeHome, type TestHome } from '../helpers/daemon-harness.js';
import { type AppRepo, makeAppRepo, runningVersion } from './app-repo.js';

let home: TestHome;
let base: string;
let repo: AppRepo;

beforeEach(async () => {
  home = makeHome();
  base = await makeTempDir('guv-apps-');
  repo = await makeAppRepo(base);
});
afterEach(async () => {
  await cleanupHome(home);
  await removeDir(base);
});

const appDir = (name: string) => join(home.dir, 'apps', name);

async function ok(args: string[]) {
  const result = await guv(home, args, { timeoutMs: 120_000 });
  expect(result, `guv ${args.join(' ')}`).toMatchObject({ code: 0 });
  return result;
}

describe('guv install, start, setref, updaterefs, rmapp through the CLI', () => {
  it('runs the code of the ref it is on, sees a tag pushed later, and refuses rmapp while running', async () => {
    const probe = join(base, 'probe');

    // The name comes from package.json (@acme/shop → shop); git and npm output reach the terminal.
    const installed = await ok(['install', repo.url]);
    expect(installed.stdout).toBe(
      `installed shop (main ${repo.commit('main').slice(0, 12)}) in ${appDir('shop')}\n`,
    );
    expect(installed.stderr).toMatch(/Cloning into|Receiving objects/);
    expect(installed.stderr).toMatch(/up to date|added \d+ package/);
    expect(existsSync(join(appDir('shop'), 'server.js'))).toBe(true);

    const listed = await ok(['lsapps']);
    expect(listed.stdout.split('\n')[0]).toMatch(/^name\s+user\s+url\s+ref\s+commit/);
    expect(listed.stdout).toMatch(new RegExp(`shop\\s+-\\s+${repo.url}\\s+main\\s+`));

    const refs = await ok(['lsrefs', 'shop']);
    expect(refs.stdout).toMatch(new RegExp(`main\\s+branch\\s+${repo.commit('main')}`));
    expect(refs.stdout).toMatch(new RegExp(`dev\\s+branch\\s+${repo.commit('dev')}`));
    expect(refs.stdout).toMatch(new RegExp(`v1\\s+tag\\s+${repo.commit('v1')}`));
    expect((await ok(['ref', 'shop'])).stdout).toBe(`main ${repo.commit('main')}\n`);

    // `guv start <app>` runs package.json's main from the app's folder.
    await ok(['start', 'shop', '--env', `APP_PROBE=${probe}`]);
    const firstPid = await runningVersion(probe, 'v2');

    const switched = await ok(['setref', 'shop', 'v1']);
    expect(switched.stdout).toMatch(/^shop: main -> v1 \(/);
    expect((await ok(['ref', 'shop'])).stdout).toBe(`v1 ${repo.commit('v1')}\n`);
    await ok(['restart', 'shop']);
    const secondPid = await runningVersion(probe, 'v1');
    expect(secondPid).not.toBe(firstPid);

    // A tag pushed after the install is unknown until updaterefs fetches it.
    await repo.release('v3');
    expect((await ok(['lsrefs', 'shop'])).stdout).not.toMatch(/^v3\s/m);
    const updated = await ok(['updaterefs', 'shop']);
    expect(updated.stdout).toMatch(new RegExp(`^v3\\s+tag\\s+${repo.commit('v3')}`, 'm'));
    await ok(['setref', 'shop', 'v3']);
    await ok(['restart', 'shop']);
    const thirdPid = await runningVersion(probe, 'v3');

    // rmapp refuses while the app runs, and leaves everything as it was.
    const refused = await guv(home, ['rmapp', 'shop']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'guv: app "shop" is running (shop): stop it first, or remove it with --force\n',
    );
    expect(existsSync(join(appDir('shop'), 'server.js'))).toBe(true);
    expect(alive(thirdPid)).toBe(true);

    // --force stops and removes the process, then the files.
    const removed = await ok(['rmapp', 'shop', '--force']);
    expect(removed.stdout).toBe(`removed shop (${appDir('shop')})\n`);
    expect(alive(thirdPid)).toBe(false);
    expect(readdirSync(join(home.dir, 'apps'))).toEqual([]);
    expect((await ok(['lsapps'])).stdout).toBe('no apps\n');
    expect((await ok(['list'])).stdout).toBe('no processes\n');
  }, 180_000);

  it('keeps installed apps across a daemon restart, ready to start and switch', async () => {
    const probe = join(base, 'probe');
    await ok(['install', repo.dir, 'web', '--ref', 'dev']);
    await ok(['kill']);
    // What installs cut short by a dying daemon leave is swept at the next boot.
    for (const leftover of ['.clone-Ab12Cd/repo', '.other.installing']) {
      mkdirSync(join(home.dir, 'apps', leftover), { recursive: true });
    }
    expect((await ok(['lsapps'])).stdout).toMatch(new RegExp(`web\\s+-\\s+${repo.dir}\\s+dev\\s+`));
    expect(readdirSync(join(home.dir, 'apps'))).toEqual(['web']);
    await ok(['start', 'web', '--env', `APP_PROBE=${probe}`]);
    await runningVersion(probe, 'dev');
    await ok(['setref', 'web', 'main']);
    await ok(['restart', 'web']);
    await runningVersion(probe, 'v2');
    // The switch is saved too: the next daemon knows the app is on main.
    await ok(['kill']);
    expect((await ok(['ref', 'web'])).stdout).toBe(`main ${repo.commit('main')}\n`);
    expect((await ok(['lsapps'])).stdout).toMatch(/web\s+-\s+\S+\s+main\s+/);
  }, 180_000);
});

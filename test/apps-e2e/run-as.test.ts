import { execFileSync } from 'node:child_process';
import { chmod, mkdir, readFile, stat } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '../apps/git-fixtures.js';
import { cleanupHome, guv, makeHome, type TestHome } from '../helpers/daemon-harness.js';
import { makeAppRepo, runningVersion } from './app-repo.js';

function uidOf(user: string): number | null {
  try {
    return Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
  } catch {
    return null;
  }
}

const nobody = uidOf('nobody');
const asRoot = process.getuid?.() === 0 && nobody !== null;

let home: TestHome;
let base: string;
let shared: string;

beforeEach(async () => {
  home = makeHome();
  base = await makeTempDir('guv-apps-user-');
  // Somewhere the app's user may write: the lifecycle script's and the app's reports.
  shared = join(base, 'shared');
  await mkdir(shared);
  await chmod(shared, 0o777);
});
afterEach(async () => {
  await cleanupHome(home);
  await removeDir(base);
});

/** A repo whose preinstall script records the uid it ran as, owned by `owner` (git's safe.directory). */
async function repoRecordingScripts(owner: string | null) {
  const script = `node -e "require('fs').writeFileSync('${shared}/script-uid', String(process.getuid()))"`;
  const repo = await makeAppRepo(base, { scripts: { preinstall: script } });
  if (owner !== null) execFileSync('chown', ['-R', owner, repo.dir]);
  return repo;
}

describe.skipIf(!asRoot)('apps with a user, under a root daemon', () => {
  it('clones, installs and runs as the user; its lifecycle scripts run as the user', async () => {
    const repo = await repoRecordingScripts('nobody');
    // guv widens no folder it did not create (the test made the home): let the user pass.
    await chmod(home.dir, 0o711);
    const installed = await guv(home, ['install', repo.dir, 'svc', '--user', 'nobody'], {
      timeoutMs: 120_000,
    });
    expect(installed.code, installed.stderr).toBe(0);
    const dir = join(home.dir, 'apps', 'svc');
    expect((await stat(dir)).uid).toBe(nobody);
    expect((await stat(join(dir, '.git', 'HEAD'))).uid).toBe(nobody);
    expect(await readFile(join(shared, 'script-uid'), 'utf8')).toBe(String(nobody));
    expect((await guv(home, ['lsapps'])).stdout).toMatch(/svc\s+nobody\s+/);

    const probe = join(shared, 'probe');
    expect((await guv(home, ['start', 'svc', '--env', `APP_PROBE=${probe}`])).code).toBe(0);
    const pid = await runningVersion(probe, 'v2');
    const uidLine = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^Uid:\s+(\d+)/m);
    expect(Number(uidLine?.[1])).toBe(nobody);

    // The switch's checkout and npm run as the user too: nothing in the folder becomes root's.
    expect((await guv(home, ['setref', 'svc', 'v1'], { timeoutMs: 120_000 })).code).toBe(0);
    expect((await stat(join(dir, 'server.js'))).uid).toBe(nobody);
    const removed = await guv(home, ['rmapp', 'svc', '--force']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(existsSync(dir)).toBe(false);
  }, 120_000);

  it('never runs lifecycle scripts as root for an app without a user', async () => {
    const repo = await repoRecordingScripts(null);
    const installed = await guv(home, ['install', repo.url, 'plain'], { timeoutMs: 120_000 });
    expect(installed.code, installed.stderr).toBe(0);
    expect(existsSync(join(shared, 'script-uid'))).toBe(false);
  }, 120_000);
});

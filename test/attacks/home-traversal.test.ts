import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect } from 'vitest';
import { makeTempDir, removeDir } from '../apps/git-fixtures.js';
import { makeAppRepo } from '../apps-e2e/app-repo.js';
import { cleanupHome, guv, type TestHome } from '../helpers/daemon-harness.js';
import { createThrowawayUser, rootIt, type ThrowawayUser } from './helpers.js';

const users: ThrowawayUser[] = [];
const homes: TestHome[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const home of homes.splice(0)) await cleanupHome(home);
  for (const dir of dirs.splice(0)) await removeDir(dir);
});
afterAll(() => {
  for (const user of users.splice(0)) user.remove();
});

/** A home at `<dir>/home`, which guv creates itself. */
function homeUnder(dir: string): TestHome {
  const home = join(dir, 'home');
  const env: NodeJS.ProcessEnv = { ...process.env, GUV_HOME: home };
  delete env.GUV_DEBUG;
  const made = {
    dir: home,
    env,
    childEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin', GUV_TEST_HOME: home },
    logFile: (name: string, stream = 'out') => join(home, 'logs', name, `${stream}.log`),
    processesFile: join(home, 'state/processes.json'),
    pidFile: join(home, 'run/guv.pid'),
    daemonLog: join(home, 'logs/daemon.log'),
    stateDir: join(home, 'state'),
  };
  homes.push(made);
  return made;
}

const modeOf = (path: string) => statSync(path).mode & 0o7777;

describe('letting an app user reach its folder', () => {
  rootIt(
    'finding 7: a 0700 parent folder of GUV_HOME keeps its mode; guv says in one line what to do',
    async () => {
      const user = createThrowawayUser('h');
      users.push(user);
      const parent = mkdtempSync('/tmp/guvh-parent-');
      dirs.push(parent);
      chmodSync(parent, 0o700);
      const base = await makeTempDir('guvh-repo-');
      dirs.push(base);
      const repo = await makeAppRepo(base);
      execFileSync('chown', ['-R', user.name, repo.dir]);
      const home = homeUnder(parent);

      const first = await guv(home, ['install', repo.dir, 'svc', '--user', user.name], {
        timeoutMs: 120_000,
      });

      expect(modeOf(parent), 'the parent folder was widened').toBe(0o700);
      expect(first.code).not.toBe(0);
      const lines = first.stderr.trim().split('\n');
      expect(lines, first.stderr).toHaveLength(1);
      expect(lines[0]).toContain(parent);
      expect(lines[0]).toContain(user.name);
      expect(lines[0]).toMatch(/chmod o\+x/);

      // Doing what it says is enough.
      const told = /chmod o\+x ([^"]+)/.exec(lines[0]!)![1]!.trim().split(' ');
      for (const folder of told) chmodSync(folder, modeOf(folder) | 0o001);
      const second = await guv(home, ['install', repo.dir, 'svc', '--user', user.name], {
        timeoutMs: 120_000,
      });
      expect(second.code, second.stderr).toBe(0);
      expect(statSync(join(home.dir, 'apps', 'svc')).uid).toBe(user.uid);
      expect(modeOf(parent)).toBe(0o701);
    },
    300_000,
  );
});

import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest';
import type { ProcessDetails } from '../../src/protocol/replies.js';
import {
  cleanupHome,
  eventually,
  fixture,
  guv,
  makeHome,
  type TestHome,
  writeDaemonConfig,
} from '../helpers/daemon-harness.js';
import { createThrowawayUser, isRoot, rootIt, type ThrowawayUser } from './helpers.js';

let user: ThrowawayUser | null = null;
const homes: TestHome[] = [];
const dirs: string[] = [];
beforeAll(() => {
  if (isRoot) user = createThrowawayUser('pol');
});
afterEach(async () => {
  for (const home of homes.splice(0)) await cleanupHome(home);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}, 60_000);
afterAll(() => user?.remove());

/** A folder the app's user owns (its cwd), and a root-only secret file beside it. */
function setup() {
  const home = makeHome();
  homes.push(home);
  const base = mkdtempSync('/tmp/guvpol-');
  dirs.push(base);
  chmodSync(base, 0o755);
  const appDir = join(base, 'app');
  mkdirSync(appDir);
  chownSync(appDir, user!.uid, user!.gid);
  const secret = join(base, 'secret');
  writeFileSync(secret, 'root only\n', { mode: 0o600 });
  return { home, base, appDir, secret };
}

/** The keeper writes the app's files (it runs every app, by default), and logs their failures. */
function keeperLog(home: TestHome): string {
  return join(home.dir, 'logs/keeper.log');
}

async function details(home: TestHome, name: string): Promise<ProcessDetails> {
  return JSON.parse((await guv(home, ['info', name, '--json'])).stdout) as ProcessDetails;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('log files and watched paths the app controls are used as the app’s user', () => {
  for (const keeper of [true, false]) {
    rootIt(
      `an --out-file that the app’s user made a symlink to a root-only file is never written through (keeper ${keeper ? 'on' : 'off'})`,
      async () => {
        const { home, appDir, secret } = setup();
        // Without the keeper the daemon spawns the file's writer: the same writer, the same refusal.
        if (!keeper) writeDaemonConfig(home, { keeper: false });
        symlinkSync(secret, join(appDir, 'out.log'));
        const started = await guv(home, [
          'start',
          fixture('print-both.js'),
          '-n',
          'sym',
          '--user',
          user!.name,
          '--cwd',
          appDir,
          '--out-file',
          'out.log',
        ]);
        expect(started.stderr).toBe('');
        await eventually(
          () => readFileSync(home.logFile('sym'), 'utf8').includes('out from app'),
          'output',
        );
        await eventually(
          () =>
            readFileSync(keeper ? keeperLog(home) : home.daemonLog, 'utf8').includes(
              'cannot write log file',
            ),
          'the failure logged',
        );
        expect(readFileSync(secret, 'utf8')).toBe('root only\n');
      },
      60_000,
    );
  }

  rootIt(
    'an --out-file in a folder only root may write is not created: the file is opened as the app’s user',
    async () => {
      const { home, base, appDir } = setup();
      const rootDir = join(base, 'root-owned');
      mkdirSync(rootDir, { mode: 0o755 });
      const target = join(rootDir, 'app.log');
      const started = await guv(home, [
        'start',
        fixture('print-both.js'),
        '-n',
        'ro',
        '--user',
        user!.name,
        '--cwd',
        appDir,
        '--out-file',
        target,
      ]);
      expect(started.stderr).toBe('');
      await eventually(
        () => readFileSync(home.logFile('ro'), 'utf8').includes('out from app'),
        'output',
      );
      await eventually(
        () => readFileSync(keeperLog(home), 'utf8').includes('cannot write log file'),
        'the failure logged',
      );
      expect(existsSync(target)).toBe(false);
    },
    60_000,
  );

  rootIt(
    'an --out-file the app’s user may write is written, and owned by it',
    async () => {
      const { home, appDir } = setup();
      await guv(home, [
        'start',
        fixture('print-both.js'),
        '-n',
        'own',
        '--user',
        user!.name,
        '--cwd',
        appDir,
        '--out-file',
        'out.log',
      ]);
      const path = join(appDir, 'out.log');
      await eventually(
        () => existsSync(path) && readFileSync(path, 'utf8').includes('out from app'),
        'out.log',
      );
      const { statSync } = await import('node:fs');
      expect(statSync(path).uid).toBe(user!.uid);
      // Written by the keeper's writer: the app is the keeper's child, not the daemon's.
      const keeperPid = JSON.parse(readFileSync(join(home.dir, 'run/keeper.pid'), 'utf8')).pid;
      const stat = readFileSync(`/proc/${(await details(home, 'own')).pid}/stat`, 'utf8');
      expect(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])).toBe(keeperPid);
    },
    60_000,
  );

  rootIt(
    '--watch on a folder the app’s user cannot read watches nothing and names nothing in it',
    async () => {
      const { home, base, appDir } = setup();
      const hidden = join(base, 'hidden');
      mkdirSync(hidden, { mode: 0o700 });
      const started = await guv(home, [
        'start',
        fixture('print-both.js'),
        '-n',
        'hid',
        '--user',
        user!.name,
        '--cwd',
        appDir,
        `--watch=${hidden}`,
      ]);
      expect(started.stderr).toBe('');
      await eventually(async () => (await details(home, 'hid')).status === 'running', 'running');
      writeFileSync(join(hidden, 'secret-name.txt'), 'x');
      await sleep(2500);
      const info = await details(home, 'hid');
      expect(info.watching).toBe(false);
      expect(info.restarts).toBe(0);
      const why = await guv(home, ['why', 'hid']);
      expect(why.stdout).not.toContain('secret-name');
    },
    60_000,
  );

  rootIt(
    '--watch does not follow a symlink the app’s user planted into a root-only folder',
    async () => {
      const { home, base, appDir } = setup();
      const hidden = join(base, 'hidden');
      mkdirSync(hidden, { mode: 0o700 });
      symlinkSync(hidden, join(appDir, 'link'));
      await guv(home, [
        'start',
        fixture('print-both.js'),
        '-n',
        'lnk',
        '--user',
        user!.name,
        '--cwd',
        appDir,
        '--watch',
      ]);
      await eventually(
        async () => (await details(home, 'lnk')).watching,
        'the watcher in place',
        30_000,
      );
      writeFileSync(join(hidden, 'secret-name.txt'), 'x');
      await sleep(2500);
      expect((await details(home, 'lnk')).restarts).toBe(0);
      writeFileSync(join(appDir, 'code.js'), 'x');
      await eventually(
        async () => (await details(home, 'lnk')).restarts === 1,
        'a real change seen',
        30_000,
      );
    },
    60_000,
  );
});

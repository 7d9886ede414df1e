import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import {
  type CliResult,
  daemonPid,
  guv,
  recordEvents,
  startDaemon,
  type TestHome,
} from '../helpers/daemon-harness.js';
import { readAppPackage } from '../../src/apps/package-json.js';
import { resolveRunAs } from '../../src/apps/run-as.js';
import { rootIt, runAs, type ThrowawayUser } from './helpers.js';
import { chownTree, makeRepo, useAttackWorkspace } from './repo-fixtures.js';

let home: TestHome;
let base: string;
let user: ThrowawayUser | undefined;

useAttackWorkspace('guv-attack-pkg-', (w) => {
  ({ home, base, user } = w);
});

const SECRET = 'SECRET';

/** A root-only file (0600 in a 0700 folder) that looks like a package.json. */
async function rootOnlySecret(): Promise<string> {
  const dir = join(base, 'secret');
  await mkdir(dir, { mode: 0o700 });
  await chmod(dir, 0o700);
  const file = join(dir, 'secret.json');
  await writeFile(file, JSON.stringify({ name: `${SECRET}-NAME`, main: `${SECRET}-MAIN.js` }), {
    mode: 0o600,
  });
  return file;
}

/** Exit 1 and, after whatever git printed, one `guv: …` line about package.json; no stack. */
function expectRefused(result: CliResult, about: RegExp): void {
  expect(result.code, result.stderr).toBe(1);
  expect(result.stdout).toBe('');
  const last = result.stderr.match(/guv: [^\n]*\n$/)?.[0] ?? '';
  expect(last, result.stderr).toMatch(about);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

/** Peak resident memory of a process, in MiB. */
function peakMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(status.match(/^VmHWM:\s+(\d+) kB/m)?.[1]);
  return kib / 1024;
}

describe('finding 9: package.json is read as data the repository controls', () => {
  rootIt(
    "finding 9: a package.json symlinked to a root-only file never shows that file's content",
    async () => {
      const secret = await rootOnlySecret();
      const client = await startDaemon(home);
      const recorder = await recordEvents(client, '*');
      const files = { 'package.json': { link: secret }, 'index.js': '' };
      const url = await makeRepo(join(base, 'origin'), files);
      const owned = join(base, 'origin-user');
      const ownedUrl = await makeRepo(owned, files);
      chownTree(user!.name, owned);

      const results: CliResult[] = [];
      for (const args of [
        ['install', url],
        ['install', url, 'named'],
        ['install', ownedUrl, '--user', user!.name],
        ['install', ownedUrl, 'mine', '--user', user!.name],
      ]) {
        const result = await guv(home, args, { timeoutMs: 120_000 });
        results.push(result);
        expect(`${result.stdout}${result.stderr}`).not.toContain(SECRET);
        expectRefused(result, /package\.json/);
      }

      // An app whose user later points its package.json at the secret, then `guv start`.
      const cleanUrl = await makeRepo(join(base, 'clean'), {
        'package.json': JSON.stringify({ name: 'clean', main: 'index.js' }),
        'index.js': 'setInterval(() => {}, 1000);\n',
      });
      chownTree(user!.name, join(base, 'clean'));
      const installed = await guv(home, ['install', cleanUrl, 'svc', '--user', user!.name], {
        timeoutMs: 120_000,
      });
      expect(installed.code, installed.stderr).toBe(0);
      const pkg = join(home.dir, 'apps', 'svc', 'package.json');
      const relink = runAs(user!, 'ln', ['-sf', secret, pkg]);
      expect(relink.status, relink.stderr).toBe(0);
      const started = await guv(home, ['start', 'svc'], { timeoutMs: 60_000 });
      results.push(started);
      expect(`${started.stdout}${started.stderr}`).not.toContain(SECRET);
      expectRefused(started, /package\.json/);

      const lsapps = await guv(home, ['lsapps']);
      expect(lsapps.stdout).not.toContain(SECRET);
      const list = await guv(home, ['list']);
      expect(list.stdout).not.toContain(SECRET);
      expect(readFileSync(home.daemonLog, 'utf8')).not.toContain(SECRET);
      expect(JSON.stringify(recorder.events)).not.toContain(SECRET);
      await recorder.off();
    },
    300_000,
  );

  rootIt(
    'finding 9: a 50 MB package.json is refused in one line and the daemon stays small',
    async () => {
      const dir = join(base, 'origin');
      const pad = 'x'.repeat(50 * 1024 * 1024);
      const url = await makeRepo(dir, {
        'package.json': `{"name":"big","version":"1.0.0","pad":"${pad}"}`,
        'index.js': '',
      });
      await rm(join(dir, 'package.json'));
      await startDaemon(home);
      const pid = daemonPid(home);

      for (const args of [
        ['install', url],
        ['install', url, 'named'],
      ]) {
        const result = await guv(home, args, { timeoutMs: 180_000 });
        expectRefused(result, /package\.json .*(larger|more) than/);
        expect(result.stderr).not.toContain('xxxx');
      }
      expect((await guv(home, ['lsapps'])).stdout).toBe('no apps\n');
      expect(existsSync(join(home.dir, 'apps', 'big'))).toBe(false);
      expect(peakMiB(pid)).toBeLessThan(150);
    },
    300_000,
  );

  rootIt(
    "finding 9: package.json is read as the app's user: a root-only file in its folder stays unread",
    async () => {
      // As a hard link to a root-only file would be: inside the folder, but not the user's to read.
      const dir = join(base, 'checkout');
      await mkdir(dir);
      chownTree(user!.name, dir);
      await writeFile(join(dir, 'package.json'), JSON.stringify({ name: `${SECRET}-NAME` }), {
        mode: 0o600,
      });
      const error = await readAppPackage(dir, { runAs: await resolveRunAs(user!.name) }).catch(
        (e: Error) => e,
      );
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toBe(
        `package.json cannot be read as user "${user!.name}" (EACCES)`,
      );
      expect(JSON.stringify(error)).not.toContain(SECRET);
      // The same file is the user's to read once it is the user's.
      chownTree(user!.name, dir);
      const pkg = await readAppPackage(dir, { runAs: await resolveRunAs(user!.name) });
      expect(pkg.packageName).toBe(`${SECRET}-NAME`);
    },
    60_000,
  );
});

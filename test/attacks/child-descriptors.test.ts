import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  cleanupHome,
  daemonPid,
  eventually,
  guvBin,
  makeHome,
  repoRoot,
  type TestHome,
} from '../helpers/daemon-harness.js';
import { makeProbeApp, type ProbeApp } from './child-fixtures.js';
import { createThrowawayUser, isRoot, rootIt, type ThrowawayUser } from './helpers.js';

// Finding 5: a descriptor open in the shell that first started the daemon reached the apps.
let user: ThrowawayUser;
let probe: ProbeApp;
let home: TestHome;
let secret: string;

beforeAll(() => {
  if (!isRoot) return;
  user = createThrowawayUser('c');
  probe = makeProbeApp();
  secret = join(probe.dir, '..', 'root-only-secret');
  writeFileSync(secret, 'only root may read this\n', { mode: 0o600 });
  chmodSync(secret, 0o600);
});
afterAll(() => {
  if (!isRoot) return;
  probe?.remove();
  user?.remove();
});
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await cleanupHome(home);
});

/** `exec 30<secret; exec node bin/guv.js …` in bash: the CLI, and so the daemon it starts, inherit fd 30. */
function guvWithFd30(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'bash',
      ['-c', 'exec 30<"$1"; shift; exec "$@"', 'bash', secret, process.execPath, guvBin, ...args],
      { env: home.env, cwd: probe.dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`guv ${args.join(' ')} timed out: ${output}`));
    }, 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

function links(pid: number): Array<{ fd: number; link: string | null }> {
  return readdirSync(`/proc/${pid}/fd`).map((fd) => {
    try {
      return { fd: Number(fd), link: readlinkSync(`/proc/${pid}/fd/${fd}`) };
    } catch {
      return { fd: Number(fd), link: null };
    }
  });
}

describe('descriptors of whoever starts the daemon reach no app (finding 5)', () => {
  rootIt(
    'finding 5: fd 30 of the first `guv start` reaches neither the daemon nor the app',
    async () => {
      const started = await guvWithFd30([
        'start',
        probe.app,
        '--name',
        'probe',
        '--user',
        user.name,
        '--cwd',
        probe.dir,
      ]);
      expect(started.code, started.output).toBe(0);
      const [marker] = await eventually(() => {
        const markers = probe.markers('app');
        return markers.length > 0 ? markers : null;
      }, 'the app to list its descriptors');
      const seen = JSON.parse(marker!.content) as {
        uid: number;
        fds: Array<{ fd: number; link: string | null }>;
      };
      expect(seen.uid).toBe(user.uid);
      const open = seen.fds.map(({ fd }) => fd);
      for (const fd of [0, 1, 2, 3]) expect(open).toContain(fd);
      expect(seen.fds.filter(({ link }) => link === secret)).toEqual([]);
      expect(links(daemonPid(home)).filter(({ link }) => link === secret)).toEqual([]);
    },
    90_000,
  );

  it('finding 5: the CLI starts the daemon with none of its own descriptors beyond stdio', async () => {
    // A stand-in daemon that closes nothing itself: only how it was spawned counts here.
    const dir = mkdtempSync('/tmp/guvc-auto-');
    const own = join(dir, 'starter-secret');
    writeFileSync(own, 'the starter only\n', { mode: 0o600 });
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    let pid = 0;
    try {
      const printed = execFileSync(
        'bash',
        [
          '-c',
          'exec 30<"$1" 41<"$1"; shift; exec "$@"',
          'bash',
          own,
          process.execPath,
          '--import',
          tsx,
          join(import.meta.dirname, 'fixtures/autostart-with-fds.ts'),
          join(repoRoot, 'test/rpc/fixtures/test-daemon.ts'),
          tsx,
        ],
        { env: { ...process.env, GUV_HOME: dir }, encoding: 'utf8', timeout: 60_000 },
      );
      pid = Number(printed.trim());
      expect(pid).toBeGreaterThan(0);
      expect(links(pid).filter(({ link }) => link === own)).toEqual([]);
    } finally {
      if (pid > 0) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {}
      }
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

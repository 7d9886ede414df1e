import { spawn } from 'node:child_process';
import { chmodSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect } from 'vitest';
import {
  cleanupHome,
  daemonPid,
  eventually,
  guvBin,
  makeHome,
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
});

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { groupAlive, killGroup } from '../../../src/actors/child/kill-group.js';
import { spawnChild } from '../../../src/actors/child/spawn-child.js';
import * as protocol from '../../../src/actors/wrapper/protocol.js';
import { runChild, specFor, stopAllChildren } from '../child/harness.js';
import { ensurePreloadBuilt } from './build-preload.js';

let preloadPath: string;
const started: ChildProcess[] = [];
const tempDirs: string[] = [];

beforeAll(() => {
  preloadPath = ensurePreloadBuilt();
});
afterEach(() => {
  stopAllChildren();
  for (const child of started.splice(0)) {
    if (child.pid !== undefined && groupAlive(child.pid)) killGroup(child.pid, 'SIGKILL');
  }
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function waitFor(check: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (check()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(poll, 10);
    };
    poll();
  });
}

describe('preload wrapper', () => {
  it('keeps the same constants as protocol.ts', () => {
    const preload = createRequire(import.meta.url)(preloadPath);
    expect(preload.WRAPPER_CMD).toBe(protocol.WRAPPER_CMD);
    expect(preload.WRAPPER_ENV).toEqual(protocol.WRAPPER_ENV);
    expect(preload.APP_LOG_EVENT).toBe(protocol.APP_LOG_EVENT);
    expect(preload.APP_CONFIG_EVENT).toBe(protocol.APP_CONFIG_EVENT);
    expect(preload.APP_READY_MESSAGE).toBe(protocol.APP_READY_MESSAGE);
    expect(preload.APP_MESSAGE_TYPE).toBe(protocol.APP_MESSAGE_TYPE);
    expect(preload.WRAPPER_LIMITS).toEqual(protocol.WRAPPER_LIMITS);
    expect(preload.DEFAULT_HEARTBEAT_MS).toBe(protocol.DEFAULT_HEARTBEAT_MS);
    expect(preload.DEFAULT_ORPHAN_KILL_MS).toBe(protocol.DEFAULT_ORPHAN_KILL_MS);
    expect(preload.WRAPPER_MESSAGE_TYPES).toEqual(protocol.WRAPPER_MESSAGE_TYPES);
    expect(preload.SUPERVISOR_MESSAGE_TYPES).toEqual(protocol.SUPERVISOR_MESSAGE_TYPES);
  });

  it('stops the child and its group when the IPC channel goes away', async () => {
    const { child } = await spawnChild('orphan', specFor('spawn-grandchild.js'), {
      preloadPath,
      orphanKillMs: 500,
    });
    started.push(child);
    let stdout = '';
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
    });
    await waitFor(() => /grandchild \d+/.test(stdout), 'grandchild');
    const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    child.disconnect();
    expect(await exited).toBe('SIGTERM');
    await waitFor(() => !groupAlive(child.pid!), 'the group to go');
  });

  it('runs gc and writes heap snapshots on request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'guv-heap-'));
    tempDirs.push(dir);
    const child = runChild(specFor('hello.js'));
    await child.waitFor('CHILD.READY');
    await expect(child.handle()!.gc()).resolves.toBeUndefined();
    const path = join(dir, 'child.heapsnapshot');
    await expect(child.handle()!.heapdump(path)).resolves.toBe(path);
    expect(statSync(path).size).toBeGreaterThan(1000);
  });

  it('forwards log lines, warnings and config requests, and delivers config responses', async () => {
    const child = runChild(specFor('wrapper-api.js'));
    await child.waitUntil(
      () =>
        child.messages.some((m) => m.type === 'config:request') &&
        child.messages.some((m) => m.type === 'log' && m.level === 'warn'),
      'config request and warning',
    );
    expect(child.messages).toContainEqual(
      expect.objectContaining({ type: 'log', level: 'debug', message: 'debug line 42' }),
    );
    expect(child.messages).toContainEqual(
      expect.objectContaining({ type: 'log', level: 'warn', message: 'Warning: careful now' }),
    );
    const request = child.messages.find((m) => m.type === 'config:request');
    if (request?.type !== 'config:request') throw new Error('no config request');
    expect(request.key).toBe('db.url');
    child.handle()!.respondConfig(request.requestId, { url: 'postgres://x' });
    await child.waitUntil(
      () => child.stdout().includes('config {"url":"postgres://x"}'),
      'config output',
    );
  });

  it('shuts down gracefully by closing its servers', async () => {
    const child = runChild(specFor('http-server.js'));
    await child.waitUntil(() => child.messages.some((m) => m.type === 'listening'), 'listening');
    child.handle()!.shutdown(2000);
    expect(await child.waitFor('CHILD.EXIT')).toMatchObject({ code: 0, signal: null });
  });

  it('measures the memory the wrapper adds to a child (reported, loosely bounded)', async () => {
    const rss = async (args: string[], wrapped: boolean) => {
      const child = spawn(process.execPath, args, {
        detached: true,
        stdio: wrapped ? ['ignore', 'ignore', 'inherit', 'ipc'] : ['ignore', 'ignore', 'inherit'],
        env: wrapped ? { PATH: process.env.PATH, [protocol.WRAPPER_ENV.id]: 'rss' } : {},
      });
      started.push(child);
      await new Promise((resolve) => setTimeout(resolve, 700));
      const status = await import('node:fs/promises').then((fs) =>
        fs.readFile(`/proc/${child.pid}/status`, 'utf8'),
      );
      killGroup(child.pid!, 'SIGKILL');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
    };
    const script = specFor('hello.js').script;
    const plain: number[] = [];
    const wrapped: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      plain.push(await rss([script], false));
      wrapped.push(await rss(['--require', preloadPath, script], true));
    }
    const median = (values: number[]) => values.sort((a, b) => a - b)[1]!;
    const overhead = median(wrapped) - median(plain);
    console.log(
      `RSS plain node ${median(plain).toFixed(1)} MiB, with guv's wrapper ${median(wrapped).toFixed(1)} MiB, overhead ${overhead.toFixed(1)} MiB`,
    );
    expect(overhead).toBeLessThan(10);
  });
});

describe('privileges', () => {
  const isRoot = process.getuid?.() === 0;

  it('refuses --user when the daemon is not root', async () => {
    await expect(
      spawnChild('x', specFor('hello.js', { user: 'nobody' }), { preloadPath, isRoot: false }),
    ).rejects.toMatchObject({ code: 'GUV_NOT_ROOT' });
  });

  it('refuses unknown users and groups', async () => {
    await expect(
      spawnChild('x', specFor('hello.js', { user: 'no-such-user-guv' }), {
        preloadPath,
        isRoot: true,
      }),
    ).rejects.toMatchObject({ code: 'GUV_USER_NOT_FOUND' });
    await expect(
      spawnChild('x', specFor('hello.js', { group: 'no-such-group-guv' }), {
        preloadPath,
        isRoot: true,
      }),
    ).rejects.toMatchObject({ code: 'GUV_GROUP_NOT_FOUND' });
  });

  it.skipIf(!isRoot)(
    'runs a node script as nobody, with its HOME and groups, no daemon env',
    async () => {
      process.env.GUV_DAEMON_SECRET = 'leak';
      try {
        const child = runChild(specFor('print-identity.js', { user: 'nobody' }));
        await child.waitFor('CHILD.EXIT');
        const printed = JSON.parse(child.stdout());
        expect(printed.uid).toBe(65534);
        expect(printed.gid).toBe(65534);
        expect(printed.groups).toEqual([65534]);
        expect(printed.env.HOME).toBe('/nonexistent');
        expect(printed.env.USER).toBe('nobody');
        expect(printed.env.LOGNAME).toBe('nobody');
        expect(printed.env.GUV_DAEMON_SECRET).toBeUndefined();
        expect(Object.keys(printed.env).filter((key) => key.startsWith('GUV_'))).toEqual([]);
      } finally {
        delete process.env.GUV_DAEMON_SECRET;
      }
    },
  );

  it.skipIf(!isRoot)('runs an executable as nobody through setpriv', async () => {
    const child = runChild(specFor('print-id.sh', { interpreter: 'none', user: 'nobody' }));
    await child.waitFor('CHILD.EXIT');
    expect(child.stdout().trim()).toBe(
      'uid=65534 gid=65534 groups=65534 home=/nonexistent user=nobody',
    );
  });

  it('tells whether the preload exists where the daemon looks for it', () => {
    expect(existsSync(preloadPath)).toBe(true);
  });
});

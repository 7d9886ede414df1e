import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProcessSummary } from '../../src/client/api.js';
import { connectKeeper } from '../../src/keeper/client.js';
import { type RunningKeeper, runKeeper } from '../../src/keeper/keeper.js';
import {
  alive,
  cleanupHome,
  crashDaemon,
  eventually,
  fixture,
  guv,
  makeHome,
  processesRunning,
  startDaemon,
  startTracked,
  type TestHome,
} from '../helpers/daemon-harness.js';

let home: TestHome | null = null;
let oldKeeper: RunningKeeper | null = null;

afterEach(async () => {
  await oldKeeper?.stop(0);
  oldKeeper = null;
  if (home) await cleanupHome(home);
  home = null;
}, 60_000);

function keeperPid(h: TestHome): number {
  return (JSON.parse(readFileSync(join(h.dir, 'run/keeper.pid'), 'utf8')) as { pid: number }).pid;
}

async function listJson(h: TestHome): Promise<Map<string, ProcessSummary>> {
  const result = await guv(h, ['list', '--json']);
  expect(result.code).toBe(0);
  return new Map((JSON.parse(result.stdout) as ProcessSummary[]).map((p) => [p.name, p]));
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms).unref(),
    ),
  ]);
}

describe('a keeper of a protocol version the daemon cannot speak', () => {
  it('is retired at boot (its child stopped), a keeper of the daemon’s version takes over, and the saved processes run once', async () => {
    const h = makeHome();
    home = h;
    const client = await startDaemon(h);
    await startTracked(client, h, fixture('keeper-child.js'), { name: 'kept' });
    await client.disconnect();
    // The daemon and its keeper gone, as after an upgrade that left the list saved.
    const first = keeperPid(h);
    await crashDaemon(h);
    process.kill(first, 'SIGKILL');
    await eventually(() => processesRunning(h, fixture('keeper-child.js')).length === 0, 'no app');

    // A keeper of a future guv: versions 3–4 only (this tree speaks 2), with a live child of its own.
    oldKeeper = await runKeeper({
      socketDir: join(h.dir, 'run'),
      logsDir: join(h.dir, 'logs'),
      idleExitMs: 60_000,
      log: () => {},
      versions: { oldest: 3, newest: 4 },
    });
    const owner = await connectKeeper(join(h.dir, 'run'), { versions: { oldest: 3, newest: 4 } });
    const old = await owner.spawn(
      'old',
      {
        command: process.execPath,
        args: [fixture('keeper-child.js')],
        cwd: h.dir,
        env: h.childEnv,
        uid: null,
        gid: null,
        stdin: 'pipe',
        ipc: true,
        maxIpcBytes: 1 << 20,
      },
      {
        name: 'old',
        workerIndex: null,
        cluster: false,
        maxBytes: 1 << 20,
        keep: 1,
        fileMode: 0o600,
        dirMode: 0o700,
        gid: null,
        time: true,
        userFiles: null,
      },
      null,
    );
    owner.close();
    expect(alive(old.pid)).toBe(true);

    const bootStarted = Date.now();
    await startDaemon(h);
    // A daemon that cannot retire the keeper gives up only after trying to start one for 10 s.
    expect(Date.now() - bootStarted).toBeLessThan(10_000);
    await within(oldKeeper.stopped, 15_000, 'the old keeper to stop');
    expect(alive(old.pid)).toBe(false);

    const kept = await eventually(async () => {
      const entry = (await listJson(h)).get('kept');
      return entry?.status === 'running' ? entry : null;
    }, 'the saved process running again');
    await eventually(
      () =>
        processesRunning(h, fixture('keeper-child.js'))
          .map((p) => p.pid)
          .join() === String(kept.pid),
      'one copy of the saved process, and nothing of the old keeper',
    );
    // The saved process's spawn started a keeper of the daemon's version.
    expect(keeperPid(h)).not.toBe(process.pid);
    expect(readFileSync(h.daemonLog, 'utf8')).toMatch(
      /retired the keeper \(pid \d+\) it found: .*protocol versions 3 to 4.*Its 1 app was stopped/,
    );
  });
});

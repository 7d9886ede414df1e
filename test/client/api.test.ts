import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GuvClient } from '../../src/client/api.js';
import {
  alive,
  cleanupHome,
  daemonPid,
  eventually,
  fixture,
  makeHome,
  startDaemon,
  startTracked,
  type TestHome,
} from '../helpers/daemon-harness.js';

// The programmatic API covers what the CLI does, against a real daemon and real children.
let home: TestHome;
let client: GuvClient;

beforeAll(async () => {
  home = makeHome();
  client = await startDaemon(home);
  await startTracked(client, home, fixture('uncaught-handled.js'), { name: 'api', args: ['50'] });
  await startTracked(client, home, fixture('cluster-live.js'), { name: 'pool', instances: 2 });
}, 120_000);

afterAll(async () => {
  await cleanupHome(home);
}, 60_000);

describe('the client API', () => {
  it('status: the daemon with its pid, process count and listeners', async () => {
    const status = await client.status();
    expect(status.pid).toBe(daemonPid(home));
    expect(status.processes).toBe(2);
    expect(status.listeners.metrics).toEqual({ state: 'off' });
  });

  it('info, logFiles and exceptions of a process', async () => {
    const details = await client.info('api');
    expect(details.name).toBe('api');
    expect(details.definition.spec.script).toBe(fixture('uncaught-handled.js'));
    expect(details.desired).toBe('running');
    const stored = await eventually(
      async () => (await client.exceptions('api')).exceptions.at(-1),
      'the handled exception',
    );
    expect(stored.error.message).toBe('boom handled');
    const sets = await client.logFiles('api');
    expect(sets).toEqual([{ name: 'api', files: expect.any(Array) }]);
    expect((await client.logFiles()).map((set) => set.name).sort()).toEqual(['api', 'pool']);
  });

  it('gc and heapdump, of a process and of every worker of a cluster', async () => {
    expect(await client.gc('api')).toEqual({ ok: true });
    expect(await client.gc('pool')).toEqual({ ok: true, workers: 2 });
    const file = join(home.dir, 'api.heapsnapshot');
    const dumped = await client.heapdump('api', { path: file });
    expect(dumped.path).toBe(file);
    expect(existsSync(file)).toBe(true);
    const pool = await client.heapdump('pool', { path: join(home.dir, 'pool.heapsnapshot') });
    expect(pool.workers?.map((w) => w.path).sort()).toEqual([
      join(home.dir, 'pool-worker0.heapsnapshot'),
      join(home.dir, 'pool-worker1.heapsnapshot'),
    ]);
  }, 120_000);

  it('reload replaces every worker of a cluster', async () => {
    const before = (await client.info('pool')).workers!.map((w) => w.pid);
    const reloaded = await client.reload('pool');
    expect(reloaded.name).toBe('pool');
    const after = reloaded.workers!.filter((w) => w.role === 'serving').map((w) => w.pid);
    expect(after).toHaveLength(2);
    for (const pid of after) expect(before).not.toContain(pid);
  }, 120_000);

  it('metrics and config', async () => {
    expect(await client.metrics()).toMatch(/# EOF\n$/);
    expect(await client.metrics('prometheus')).not.toMatch(/# EOF/);
    expect(await client.config('autoresume')).toEqual(expect.any(Boolean));
    await expect(client.config('no.such.setting')).rejects.toMatchObject({
      code: 'GUV_CONFIG_NOT_FOUND',
    });
  });

  it('dump saves the list; restore brings back a saved process that is missing', async () => {
    const dumped = await client.dump();
    expect(dumped).toEqual({ file: home.processesFile, processes: 2 });
    const saved = readFileSync(home.processesFile);
    await client.removeProcess('api');
    expect(await client.findProcessInfoByName('api')).toBeNull();
    writeFileSync(home.processesFile, saved);
    expect(await client.restore()).toEqual({ processes: 2 });
    await eventually(
      async () => (await client.findProcessInfoByName('api'))?.status === 'running',
      'api running again',
    );
  }, 120_000);

  it('kill stops every process and the daemon', async () => {
    const pid = daemonPid(home);
    const pids = (await client.listProcesses()).flatMap((p) => [
      p.pid,
      ...(p.workers ?? []).map((w) => w.pid),
    ]);
    await client.kill();
    await eventually(async () => !alive(pid), 'the daemon gone', 30_000);
    for (const child of pids) if (child !== null) expect(alive(child)).toBe(false);
  }, 120_000);
});

import { readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProcessSummary } from '../../src/client/api.js';
import { KEEPER_PROTOCOL_VERSION } from '../../src/keeper/protocol.js';
import { freePort, get } from '../cluster/load.js';
import {
  alive,
  cleanupHome,
  crashDaemon,
  daemonPid,
  eventually,
  fixture,
  guv,
  makeHome,
  processesRunning,
  startDaemon,
  startTracked,
  type TestHome,
  writeDaemonConfig,
} from '../helpers/daemon-harness.js';

let home: TestHome;

afterEach(async () => {
  await cleanupHome(home);
}, 60_000);

/** A home with the keeper: the default, no guv.json needed. */
function keeperHome(): TestHome {
  return makeHome();
}

/** A 2-worker cluster `web` (cluster-http.js on `port`) started in `h`, once both workers serve. */
async function startKeptCluster(h: TestHome, port: number): Promise<ProcessSummary> {
  const client = await startDaemon(h);
  await startTracked(client, h, fixture('cluster-http.js'), {
    name: 'web',
    instances: 2,
    env: { PORT: String(port) },
  });
  await client.disconnect();
  return eventually(async () => {
    const web = (await listJson(h)).get('web');
    return web?.status === 'running' && servingPids(web).length === 2 ? web : null;
  }, 'the cluster online');
}

async function listJson(h: TestHome): Promise<Map<string, ProcessSummary>> {
  const result = await guv(h, ['list', '--json']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return new Map((JSON.parse(result.stdout) as ProcessSummary[]).map((p) => [p.name, p]));
}

describe('the keeper (on by default; guv.json "keeper": false turns it off)', () => {
  it('a daemon with nothing to keep starts no keeper; the first start starts one', async () => {
    home = keeperHome();
    const keeperFile = join(home.dir, 'run/keeper.pid');
    expect((await guv(home, ['list'])).code).toBe(0);
    expect(alive(daemonPid(home))).toBe(true);
    expect(() => readFileSync(keeperFile)).toThrow(/ENOENT/);
    const client = await startDaemon(home);
    const started = await startTracked(client, home, fixture('keeper-child.js'), { name: 'kept' });
    await client.disconnect();
    const keeper = (JSON.parse(readFileSync(keeperFile, 'utf8')) as { pid: number }).pid;
    expect(alive(keeper)).toBe(true);
    // The app is the keeper's: it outlives the daemon.
    await crashDaemon(home);
    expect((await listJson(home)).get('kept')?.pid).toBe(started.pid);
  });

  it('after kill -9 of the daemon the next command finds the same app pid, re-adopted (guv why says so)', async () => {
    home = keeperHome();
    const client = await startDaemon(home);
    const started = await startTracked(client, home, fixture('keeper-child.js'), { name: 'kept' });
    const pid = started.pid as number;
    await client.disconnect();
    await eventually(() => lastTick(home) >= 2, 'the app logging');

    await crashDaemon(home);
    expect(alive(pid)).toBe(true);
    const ticksAtDeath = lastTick(home);
    await eventually(() => lastTick(home) >= ticksAtDeath + 5, 'logging with no daemon');

    const now = (await listJson(home)).get('kept');
    expect(now?.status).toBe('running');
    expect(now?.pid).toBe(pid);
    expect(processesRunning(home, fixture('keeper-child.js')).map((p) => p.pid)).toEqual([pid]);

    const why = await guv(home, ['why', 'kept']);
    expect(why.code).toBe(0);
    expect(why.stdout).toMatch(/running at .* re-adopted after daemon restart/);

    // Still supervised: a crash now is seen and restarted by the new daemon's chart.
    process.kill(pid, 'SIGUSR2');
    await eventually(async () => {
      const after = (await listJson(home)).get('kept');
      return after?.status === 'running' && after.pid !== pid && after.restarts === 1;
    }, 'restarted after the crash');
  });

  it('a crash while no daemon runs reaches the next daemon, which starts the app again', async () => {
    home = keeperHome();
    const client = await startDaemon(home);
    const started = await startTracked(client, home, fixture('keeper-child.js'), {
      name: 'crashy',
    });
    const pid = started.pid as number;
    await client.disconnect();
    await crashDaemon(home);
    process.kill(pid, 'SIGUSR2');
    await eventually(() => !alive(pid), 'the crash');

    const now = (await listJson(home)).get('crashy');
    expect(['running', 'starting', 'forked', 'started', 'restarting']).toContain(now?.status);
    expect(now?.pid).not.toBe(pid);
    await eventually(
      () => processesRunning(home, fixture('keeper-child.js')).length === 1,
      'one copy running',
    );
    // The restart policy saw the crash: it counts, and guv why says when and how it ended.
    const after = await eventually(async () => {
      const found = (await listJson(home)).get('crashy');
      return found?.status === 'running' ? found : null;
    }, 'running again');
    expect(after.restarts).toBe(1);
    const why = await guv(home, ['why', 'crashy']);
    expect(why.stdout).toMatch(/died while no daemon ran \(exit code 7\)/);
  });

  it('if the keeper dies with the daemon, the next daemon starts the app once (no re-adoption, no second copy)', async () => {
    home = keeperHome();
    const client = await startDaemon(home);
    const started = await startTracked(client, home, fixture('keeper-child.js'), { name: 'lost' });
    const pid = started.pid as number;
    await client.disconnect();
    process.kill(keeperPid(home), 'SIGKILL');
    await crashDaemon(home);
    await eventually(() => !alive(pid), 'the orphaned app stopped by its wrapper');

    const now = (await listJson(home)).get('lost');
    expect(now?.status).toBe('running');
    expect(now?.pid).not.toBe(pid);
    expect(processesRunning(home, fixture('keeper-child.js')).map((p) => p.pid)).toEqual([
      now?.pid,
    ]);
  });

  it('if the keeper dies under a running daemon, the daemon reaches a new keeper and restarts the app once', async () => {
    home = keeperHome();
    const client = await startDaemon(home);
    const started = await startTracked(client, home, fixture('keeper-child.js'), { name: 'moved' });
    const pid = started.pid as number;
    await client.disconnect();
    const oldKeeper = keeperPid(home);
    process.kill(oldKeeper, 'SIGKILL');
    const now = await eventually(async () => {
      const entry = (await listJson(home)).get('moved');
      return entry?.status === 'running' && entry.pid !== pid ? entry : null;
    }, 'running again under a new keeper');
    expect(alive(pid)).toBe(false);
    expect(keeperPid(home)).not.toBe(oldKeeper);
    expect(processesRunning(home, fixture('keeper-child.js')).map((p) => p.pid)).toEqual([now.pid]);
  });

  it('a connection that takes the daemon’s place at the keeper costs no app: the daemon reconnects and still supervises it', async () => {
    home = keeperHome();
    const client = await startDaemon(home);
    const started = await startTracked(client, home, fixture('keeper-child.js'), { name: 'kept' });
    const pid = started.pid as number;
    await client.disconnect();
    // Same user, token in hand: the keeper takes the newest hello as its daemon.
    const token = readFileSync(join(home.dir, 'run/keeper.token'), 'utf8').trim();
    await new Promise<void>((resolve) => {
      const socket = createConnection(join(home.dir, 'run/keeper.sock'));
      socket.on('data', () => {
        socket.destroy();
        resolve();
      });
      socket.write(
        `${JSON.stringify({ id: 0, op: 'hello', token, version: KEEPER_PROTOCOL_VERSION })}\n`,
      );
    });
    await eventually(
      () =>
        (readFileSync(join(home.dir, 'logs/keeper.log'), 'utf8').match(/a daemon connected/g) ?? [])
          .length >= 3,
      'the daemon back at the keeper',
    );
    expect(alive(pid)).toBe(true);
    expect((await listJson(home)).get('kept')?.pid).toBe(pid);
    process.kill(pid, 'SIGUSR2');
    await eventually(async () => {
      const after = (await listJson(home)).get('kept');
      return after?.status === 'running' && after.pid !== pid && after.restarts === 1;
    }, 'the crash seen and restarted by the reconnected daemon');
  });

  it('a 2-worker cluster survives kill -9 of the daemon: same manager and worker pids, re-adopted (guv why says so)', async () => {
    home = keeperHome();
    const port = await freePort();
    const before = await startKeptCluster(home, port);
    const workers = servingPids(before);

    await crashDaemon(home);
    expect(alive(before.pid as number)).toBe(true);
    for (const pid of workers) expect(alive(pid)).toBe(true);
    // Served while no daemon runs.
    expect(workers).toContain(await get(port));

    const after = await eventually(async () => {
      const web = (await listJson(home)).get('web');
      return web?.status === 'running' && servingPids(web).length === 2 ? web : null;
    }, 'the cluster re-adopted');
    expect(after.pid).toBe(before.pid);
    expect(servingPids(after)).toEqual(workers);
    // The workers run the script (the manager runs manager.cjs): no second copy.
    expect(
      processesRunning(home, fixture('cluster-http.js'))
        .map((p) => p.pid)
        .sort(),
    ).toEqual([...workers].sort());
    const why = await guv(home, ['why', 'web']);
    expect(why.code).toBe(0);
    expect(why.stdout).toMatch(/re-adopted after daemon restart/);

    // Still supervised: a worker crash now is restarted by the new daemon's chart.
    process.kill(workers[0] as number, 'SIGKILL');
    await eventually(async () => {
      const web = (await listJson(home)).get('web');
      const pids = web ? servingPids(web) : [];
      return (
        pids.length === 2 &&
        !pids.includes(workers[0] as number) &&
        pids.includes(workers[1] as number)
      );
    }, 'the crashed worker replaced');
    // Its restart is counted, and the count is kept by the keeper for the next daemon.
    const restarted = await eventually(async () => {
      const web = (await listJson(home)).get('web');
      const slot0 = web?.workers?.find((w) => w.role === 'serving' && w.index === 0);
      return slot0?.restarts === 1 ? web : null;
    }, 'the restart counted');
    await crashDaemon(home);
    const again = await eventually(async () => {
      const web = (await listJson(home)).get('web');
      return web?.status === 'running' && servingPids(web).length === 2 ? web : null;
    }, 'the cluster re-adopted again');
    expect(servingPids(again)).toEqual(servingPids(restarted));
    expect(again.workers?.find((w) => w.role === 'serving' && w.index === 0)?.restarts).toBe(1);
    // The keeper wrote each worker's output once, to its slot's file; the daemon did not again.
    const slot1 = readFileSync(join(home.dir, 'logs/web/worker-1.out.log'), 'utf8');
    expect(slot1.match(/worker 1 listening on/g)).toHaveLength(1);
  });

  it('a cluster worker that crashes while no daemon runs is started again by the next daemon', async () => {
    home = keeperHome();
    const before = await startKeptCluster(home, await freePort());
    const [crashed, kept] = servingPids(before) as [number, number];
    await crashDaemon(home);
    process.kill(crashed, 'SIGKILL');
    await eventually(() => !alive(crashed), 'the crash');

    const after = await eventually(async () => {
      const web = (await listJson(home)).get('web');
      return web?.status === 'running' && servingPids(web).length === 2 ? web : null;
    }, 'two workers again');
    expect(after.pid).toBe(before.pid);
    const pids = servingPids(after);
    expect(pids).toContain(kept);
    expect(pids).not.toContain(crashed);
    await eventually(
      () => processesRunning(home, fixture('cluster-http.js')).length === 2,
      'two workers, no more',
    );
  });

  it('guv upgrade replaces the daemon without touching the app: same pid, re-adopted', async () => {
    home = keeperHome();
    const client = await startDaemon(home);
    const started = await startTracked(client, home, fixture('keeper-child.js'), { name: 'kept' });
    const pid = started.pid as number;
    await client.disconnect();
    const oldDaemon = daemonPid(home);

    const upgrade = await guv(home, ['upgrade']);
    expect(upgrade.stderr).toBe('');
    expect(upgrade.code).toBe(0);
    expect(upgrade.stdout).toMatch(
      /daemon replaced \(pid \d+ → \d+, version .*\); 1 kept process re-adopted/,
    );
    expect(alive(oldDaemon)).toBe(false);
    expect(daemonPid(home)).not.toBe(oldDaemon);
    const now = (await listJson(home)).get('kept');
    expect(now?.pid).toBe(pid);
    expect(now?.status).toBe('running');
    expect((await guv(home, ['why', 'kept'])).stdout).toMatch(/re-adopted after daemon restart/);
  });

  it('if the keeper dies under a running daemon, a cluster starts again under a new keeper, once', async () => {
    home = keeperHome();
    const before = await startKeptCluster(home, await freePort());
    process.kill(keeperPid(home), 'SIGKILL');
    const after = await eventually(async () => {
      const web = (await listJson(home)).get('web');
      return web?.status === 'running' && web.pid !== before.pid && servingPids(web).length === 2
        ? web
        : null;
    }, 'the cluster running again under a new keeper');
    await eventually(
      () => [before.pid as number, ...servingPids(before)].every((pid) => !alive(pid)),
      'the old manager and workers gone',
    );
    expect(
      processesRunning(home, fixture('cluster-http.js'))
        .map((p) => p.pid)
        .sort(),
    ).toEqual(servingPids(after).sort());
  });

  it('guv upgrade hands a cluster over too: same manager and worker pids, re-adopted', async () => {
    home = keeperHome();
    const before = await startKeptCluster(home, await freePort());

    const upgrade = await guv(home, ['upgrade']);
    expect(upgrade.stderr).toBe('');
    expect(upgrade.code).toBe(0);
    expect(upgrade.stdout).toMatch(/1 kept process re-adopted/);
    const after = await eventually(async () => {
      const web = (await listJson(home)).get('web');
      return web?.status === 'running' && servingPids(web).length === 2 ? web : null;
    }, 'the cluster re-adopted');
    expect(after.pid).toBe(before.pid);
    expect(servingPids(after)).toEqual(servingPids(before));
    expect((await guv(home, ['why', 'web'])).stdout).toMatch(/re-adopted after daemon restart/);
    // Commanded like any cluster: a stop ends the kept manager and its workers.
    expect((await guv(home, ['stop', 'web'])).code).toBe(0);
    await eventually(
      () => [after.pid as number, ...servingPids(after)].every((pid) => !alive(pid)),
      'manager and workers stopped',
    );
  });

  it('guv upgrade without the keeper refuses, and stops nothing', async () => {
    home = makeHome();
    writeDaemonConfig(home, { keeper: false });
    const client = await startDaemon(home);
    const started = await startTracked(client, home, fixture('keeper-child.js'), { name: 'plain' });
    await client.disconnect();
    const upgrade = await guv(home, ['upgrade']);
    expect(upgrade.code).not.toBe(0);
    expect(upgrade.stderr).toMatch(/needs the keeper/);
    expect(alive(started.pid as number)).toBe(true);
  });

  it('guv kill stops a kept cluster (manager and workers) and the keeper', async () => {
    home = keeperHome();
    const web = await startKeptCluster(home, await freePort());
    const keeper = keeperPid(home);
    expect((await guv(home, ['kill'])).code).toBe(0);
    await eventually(
      () => [web.pid as number, ...servingPids(web), keeper].every((pid) => !alive(pid)),
      'manager, workers and keeper gone',
    );
  });

  it('guv kill stops the apps and the keeper', async () => {
    home = keeperHome();
    const client = await startDaemon(home);
    const started = await startTracked(client, home, fixture('keeper-child.js'), { name: 'ends' });
    await client.disconnect();
    const keeper = keeperPid(home);
    const daemon = daemonPid(home);
    expect((await guv(home, ['kill'])).code).toBe(0);
    await eventually(
      () => !alive(started.pid as number) && !alive(keeper) && !alive(daemon),
      'app, keeper and daemon gone',
    );
  });
});

function servingPids(summary: ProcessSummary): number[] {
  return (summary.workers ?? [])
    .filter((worker) => worker.role === 'serving' && worker.status === 'running')
    .sort((a, b) => a.index - b.index)
    .map((worker) => worker.pid as number);
}

function keeperPid(h: TestHome): number {
  return (JSON.parse(readFileSync(join(h.dir, 'run/keeper.pid'), 'utf8')) as { pid: number }).pid;
}

function lastTick(h: TestHome): number {
  let text = '';
  try {
    text = readFileSync(h.logFile('kept'), 'utf8');
  } catch {}
  const ticks = [...text.matchAll(/tick (\d+)/g)].map((match) => Number(match[1]));
  return ticks.length === 0 ? 0 : Math.max(...ticks);
}

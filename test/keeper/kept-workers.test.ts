import { afterEach, describe, expect, it } from 'vitest';
import type { ProcessSummary } from '../../src/client/api.js';
import { freePort } from '../cluster/load.js';
import {
  alive,
  cleanupHome,
  crashDaemon,
  eventually,
  fixture,
  guv,
  makeHome,
  startDaemon,
  startTracked,
  type TestHome,
  writeDaemonConfig,
} from '../helpers/daemon-harness.js';

let home: TestHome;

afterEach(async () => {
  await cleanupHome(home);
}, 60_000);

type Worker = NonNullable<ProcessSummary['workers']>[number];

function keeperHome(): TestHome {
  const made = makeHome();
  writeDaemonConfig(made, { keeper: true });
  return made;
}

async function web(h: TestHome): Promise<ProcessSummary | undefined> {
  const result = await guv(h, ['list', '--json']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return (JSON.parse(result.stdout) as ProcessSummary[]).find((p) => p.name === 'web');
}

function serving(summary: ProcessSummary | undefined): Worker[] {
  return (summary?.workers ?? [])
    .filter((worker) => worker.role === 'serving' && worker.status === 'running')
    .sort((a, b) => a.index - b.index);
}

/** The cluster `web` once both of its workers run, each slot's worker as `accept` wants it. */
function online(h: TestHome, what: string, accept: (workers: Worker[]) => boolean = () => true) {
  return eventually(async () => {
    const summary = await web(h);
    const workers = serving(summary);
    return summary?.status === 'running' && workers.length === 2 && accept(workers)
      ? { summary, workers }
      : null;
  }, what);
}

async function startKeptCluster(h: TestHome) {
  const client = await startDaemon(h);
  await startTracked(client, h, fixture('cluster-http.js'), {
    name: 'web',
    instances: 2,
    env: { PORT: String(await freePort()) },
  });
  await client.disconnect();
  return online(h, 'the cluster online');
}

describe('issue 17: the workers of a kept cluster, as the next daemon sees them', () => {
  it('a worker that died while no daemon ran counts as a crash of its slot (restarts + 1, guv why says so)', async () => {
    home = keeperHome();
    const { workers } = await startKeptCluster(home);
    const [crashed, kept] = workers.map((worker) => worker.pid as number) as [number, number];
    await crashDaemon(home);
    process.kill(crashed, 'SIGKILL');
    await eventually(() => !alive(crashed), 'the crash');

    const after = await online(home, 'the lost worker restarted', (now) => now[0]?.pid !== crashed);
    const [slot0, slot1] = after.workers as [Worker, Worker];
    expect(slot1.pid).toBe(kept);
    expect(slot1.restarts).toBe(0);
    expect(slot0.restarts).toBe(1);
    const why = await guv(home, ['why', 'web', '--worker', '0']);
    expect(why.code).toBe(0);
    expect(why.stdout).toMatch(
      /restarting at .* after it died while no daemon ran \(signal SIGKILL\)/,
    );

    // Counted again on the next crash while no daemon runs, from the count the last one noted.
    const second = slot0.pid as number;
    await crashDaemon(home);
    process.kill(second, 'SIGKILL');
    await eventually(() => !alive(second), 'the second crash');
    const again = await online(home, 'restarted again', (now) => now[0]?.pid !== second);
    expect(again.workers[0]?.restarts).toBe(2);
    expect(again.workers[1]?.pid).toBe(kept);
  });

  it('a re-adopted worker keeps its own start time, not its manager’s', async () => {
    home = keeperHome();
    const first = await startKeptCluster(home);
    const managerStartedAt = first.summary.startedAt as number;
    // Slot 0's next worker is younger than the manager by this much at least.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const old = first.workers[0]?.pid as number;
    process.kill(old, 'SIGKILL');
    const replaced = await online(home, 'slot 0 replaced', (now) => now[0]?.pid !== old);
    const young = replaced.workers[0] as Worker;
    expect((young.startedAt as number) - managerStartedAt).toBeGreaterThan(2500);

    await crashDaemon(home);
    const after = await online(home, 'the cluster re-adopted', (now) => now[0]?.pid === young.pid);
    // The manager's own start: its spawn (the keeper's word) or its ready (the chart's), close.
    expect(Math.abs((after.summary.startedAt as number) - managerStartedAt)).toBeLessThan(1000);
    const adopted = after.workers[0] as Worker;
    expect(Math.abs((adopted.startedAt as number) - (young.startedAt as number))).toBeLessThan(
      1000,
    );
    // The other slot's worker, as old as the manager, is adopted with its own time too.
    const elder = after.workers[1] as Worker;
    expect(elder.pid).toBe(first.workers[1]?.pid);
    expect(
      Math.abs((elder.startedAt as number) - (first.workers[1]?.startedAt as number)),
    ).toBeLessThan(1000);
  });
});

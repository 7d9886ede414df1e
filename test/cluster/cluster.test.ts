import { copyFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GuvClient, ProcessSummary } from '../../src/client/api.js';
import type { ClusterInfo, WorkerInfo } from '../../src/types/info.js';
import {
  alive,
  cleanupHome,
  crashDaemon,
  eventually,
  fixture,
  guv,
  makeHome,
  processesRunning,
  recordEvents,
  startDaemon,
  type TestHome,
} from '../helpers/daemon-harness.js';
import { freePort, get, startLoad } from './load.js';

let home: TestHome;
let client: GuvClient;
let recorder: Awaited<ReturnType<typeof recordEvents>>;
const script = fixture('cluster-http.js');
const scratch: string[] = [];

beforeAll(async () => {
  home = makeHome();
  client = await startDaemon(home);
  recorder = await recordEvents(client, '*');
}, 60_000);

afterEach(async () => {
  for (const managed of await client.listProcesses()) {
    await client.removeProcess(managed.id).catch(() => {});
  }
  recorder.events.length = 0;
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
}, 60_000);

afterAll(async () => {
  await cleanupHome(home);
}, 60_000);

async function startCluster(name: string, instances: number, file = script) {
  const port = await freePort();
  const started = await client.startProcess(file, {
    name,
    instances,
    env: { ...home.childEnv, PORT: String(port) },
  });
  return { started, port };
}

async function cluster(name: string): Promise<ProcessSummary> {
  const found = (await client.listProcesses()).find((p) => p.name === name);
  if (!found) throw new Error(`no ${name} in the list`);
  return found;
}

const serving = (summary: ProcessSummary) =>
  (summary.workers ?? []).filter((worker) => worker.role === 'serving');

const clusterEvents = (name: string) =>
  recorder.events.filter(
    (e) =>
      (e.type.startsWith('cluster:') || e.type.startsWith('worker:')) &&
      !e.type.includes(':log:') &&
      (e.args[0] as ClusterInfo).name === name,
  );

describe('a cluster started with -i', () => {
  it('runs N workers sharing one port, lists them under the cluster, and publishes the seed events', async () => {
    const { started, port } = await startCluster('seed', 2);
    expect(started).toMatchObject({ kind: 'cluster', state: 'online', status: 'running' });
    expect(started.pid).toBeGreaterThan(0);
    const workers = serving(started);
    expect(workers.map((w) => w.index)).toEqual([0, 1]);
    expect(workers.every((w) => w.status === 'running' && (w.pid ?? 0) > 0)).toBe(true);

    // Both workers take connections (round-robin by the manager) once they listen.
    const answered = new Set<number>();
    const fresh = new http.Agent({ keepAlive: false });
    await eventually(async () => {
      answered.add(await get(port, fresh));
      return answered.size === 2;
    }, 'answers from both workers');
    expect([...answered].sort()).toEqual(workers.map((w) => w.pid).sort());

    const events = clusterEvents('seed');
    const types = events.map((e) => e.type);
    expect(types.slice(0, 2)).toEqual(['cluster:starting', 'cluster:ready']);
    expect(types.filter((t) => t === 'worker:new')).toHaveLength(2);
    for (const type of ['worker:starting', 'worker:forked', 'worker:started', 'worker:ready']) {
      expect(types.filter((t) => t === type)).toHaveLength(2);
    }
    expect(types.at(-1)).toBe('cluster:online');
    const ready = events.find((e) => e.type === 'worker:ready')!;
    expect(ready.args[0]).toMatchObject({ name: 'seed', instances: 2 });
    expect(ready.args[1]).toMatchObject({ status: 'running' });
    expect((ready.args[1] as WorkerInfo).pid).toBeGreaterThan(0);

    // Each worker knows its slot, and logs to its own file.
    const logs = await guv(home, ['list', '--json']);
    const listed = (JSON.parse(logs.stdout) as ProcessSummary[]).find((p) => p.name === 'seed')!;
    expect(listed.workers?.map((w) => w.index)).toEqual([0, 1]);
    await eventually(
      () => recorder.events.some((e) => e.type === 'worker:log:info'),
      'worker:log:info',
    );
    const line = recorder.events.find((e) => e.type === 'worker:log:info')!;
    expect(line.args[0]).toMatchObject({ name: 'seed' });
    expect((line.args[2] as { message: string }).message).toMatch(/^worker [01] listening on/);

    const text = await guv(home, ['list']);
    expect(text.stdout).toMatch(/seed \(online\)/);
    expect(text.stdout).toMatch(/\n\s+\S+\s+worker 0\s/);
    expect(text.stdout).toMatch(/\n\s+\S+\s+worker 1\s/);

    await client.stopProcess('seed');
    const stopped = clusterEvents('seed').map((e) => e.type);
    expect(stopped).toContain('cluster:stopping');
    expect(stopped.filter((t) => t === 'worker:stopping')).toHaveLength(2);
    expect(stopped.at(-1)).toBe('cluster:stopped');
    const exit = clusterEvents('seed').find((e) => e.type === 'worker:exit')!;
    expect(exit.args).toHaveLength(4);
    expect(exit.args[2]).toBe(0);
    expect(exit.args[3]).toBeNull();
    for (const worker of workers) expect(alive(worker.pid!)).toBe(false);
  });

  it('reloads 3 times under load without one failed request, replacing every worker', async () => {
    const { started, port } = await startCluster('reload', 2);
    const before = serving(started).map((w) => w.pid!);
    // `start` answers once the workers run; their servers may still be binding. The claim here
    // is about reloads, so the load begins once the port answers.
    await eventually(
      () =>
        get(port).then(
          () => true,
          () => false,
        ),
      'the port to answer',
    );
    const load = startLoad(port, { concurrency: 4, maxMs: 60_000 });
    const seen: number[][] = [before];
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (let round = 0; round < 3; round++) {
        const reloaded = await client.reloadProcess('reload');
        seen.push(serving(reloaded).map((w) => w.pid!));
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    } finally {
      await load.stop();
    }
    const { result } = load;
    expect(result.errors).toEqual([]);
    expect(result.failed).toBe(0);
    expect(result.ok).toBeGreaterThan(100);
    const all = seen.flat();
    expect(new Set(all).size).toBe(all.length);
    for (const pid of before) expect(alive(pid)).toBe(false);
    const types = clusterEvents('reload').map((e) => e.type);
    expect(types.filter((t) => t === 'cluster:reloaded')).toHaveLength(3);
    // Retired workers drained and exited on their own (code 0), not killed.
    const exits = clusterEvents('reload').filter((e) => e.type === 'worker:exit');
    expect(exits.length).toBeGreaterThanOrEqual(4);
    expect(exits.every((e) => e.args[2] === 0 && e.args[3] === null)).toBe(true);
    const why = await guv(home, ['why', 'reload']);
    expect(why.stdout.match(/^ {2}reloaded at /gm)).toHaveLength(3);
  });

  it('resizes 2 → 4 → 1 with the right events; scaling down drains the retired workers', async () => {
    await startCluster('resize', 2);
    const grown = await client.resizeCluster('resize', 4);
    expect(grown.state).toBe('online');
    expect(serving(grown).map((w) => w.index)).toEqual([0, 1, 2, 3]);
    let types = clusterEvents('resize').map((e) => e.type);
    const resized = clusterEvents('resize').find((e) => e.type === 'cluster:resized')!;
    expect(resized.args.slice(1)).toEqual([2, 4]);
    const afterResize = types.slice(types.indexOf('cluster:resized'));
    expect(afterResize.filter((t) => t === 'worker:new')).toHaveLength(2);
    expect(afterResize.filter((t) => t === 'worker:ready')).toHaveLength(2);
    expect(afterResize.at(-1)).toBe('cluster:online');

    recorder.events.length = 0;
    const gone = serving(grown)
      .slice(1)
      .map((w) => w.pid!);
    const shrunk = await client.resizeCluster('resize', 1);
    expect(serving(shrunk).map((w) => w.index)).toEqual([0]);
    expect(shrunk.workers).toHaveLength(1);
    types = clusterEvents('resize').map((e) => e.type);
    expect(types[0]).toBe('cluster:resized');
    expect(types.filter((t) => t === 'worker:stopping')).toHaveLength(3);
    expect(types.filter((t) => t === 'worker:exit')).toHaveLength(3);
    const stoppingIndexes = clusterEvents('resize')
      .filter((e) => e.type === 'worker:stopping')
      .map((e) => (e.args[1] as WorkerInfo).index)
      .sort();
    expect(stoppingIndexes).toEqual([1, 2, 3]);
    for (const pid of gone) expect(alive(pid)).toBe(false);

    const cli = await guv(home, ['workers', 'resize', '2']);
    expect(cli.code).toBe(0);
    expect(serving(await cluster('resize'))).toHaveLength(2);
    expect((await client.listProcesses()).find((p) => p.name === 'resize')?.instances).toBe(2);
  });

  it('replaces a worker killed with SIGKILL; the cluster stays up and comes back online', async () => {
    const { started, port } = await startCluster('crash', 2);
    const [first, second] = serving(started);
    process.kill(first!.pid!, 'SIGKILL');
    await recorder.waitFor(
      (e) => e.type === 'worker:restarted' && (e.args[0] as ClusterInfo).name === 'crash',
      'worker:restarted',
    );
    const after = await eventually(async () => {
      const now = await cluster('crash');
      return now.state === 'online' ? now : null;
    }, 'online again');
    const [replaced, kept] = serving(after);
    expect(replaced!.index).toBe(0);
    expect(replaced!.pid).not.toBe(first!.pid);
    expect(replaced!.restarts).toBe(1);
    expect(kept!.pid).toBe(second!.pid);
    expect(after.pid).toBe(started.pid);
    const exit = clusterEvents('crash').find((e) => e.type === 'worker:exit')!;
    expect(exit.args.slice(2)).toEqual([null, 'SIGKILL']);
    expect(await get(port)).toBeGreaterThan(0);

    const why = await guv(home, ['why', 'crash', '--worker', '0']);
    expect(why.code).toBe(0);
    expect(why.stdout).toMatch(/crash worker 0/);
    expect(why.stdout).toMatch(/restarting at .* after signal SIGKILL/);
  });

  it('brings everything back after the manager is killed with SIGKILL, leaving no orphan', async () => {
    const { started, port } = await startCluster('manager', 2);
    const oldWorkers = serving(started).map((w) => w.pid!);
    process.kill(started.pid!, 'SIGKILL');
    await recorder.waitFor(
      (e) => e.type === 'cluster:failed' && (e.args[0] as ClusterInfo).name === 'manager',
      'cluster:failed',
    );
    const back = await eventually(async () => {
      const now = await cluster('manager');
      return now.state === 'online' && now.pid !== started.pid ? now : null;
    }, 'the cluster back online with a new manager');
    expect(back.restarts).toBe(1);
    const newWorkers = serving(back).map((w) => w.pid!);
    expect(newWorkers).toHaveLength(2);
    await eventually(() => oldWorkers.every((pid) => !alive(pid)), 'old workers gone', 5000);
    // The process table holds exactly the new workers of this fixture, in the new manager's group.
    const running = processesRunning(home, script).filter((p) => p.pid !== back.pid);
    expect(running.map((p) => p.pid).sort()).toEqual([...newWorkers].sort());
    expect(running.every((p) => p.pgid === back.pid)).toBe(true);
    expect(await get(port)).toBeGreaterThan(0);
  });

  it('keeps the old workers serving when the new code crashes on start; reload exits non-zero', async () => {
    const dir = mkdtempSync('/tmp/guvcl-');
    scratch.push(dir);
    const file = join(dir, 'server.js');
    copyFileSync(script, file);
    const { started, port } = await startCluster('broken', 2, file);
    const before = serving(started).map((w) => w.pid!);
    writeFileSync(file, "throw new Error('new code is broken');\n");
    const load = startLoad(port, { concurrency: 2, maxMs: 30_000 });
    let cli: Awaited<ReturnType<typeof guv>>;
    try {
      cli = await guv(home, ['reload', 'broken']);
    } finally {
      await load.stop();
    }
    expect(cli.code).not.toBe(0);
    expect(cli.stderr.trim().split('\n')).toHaveLength(1);
    expect(cli.stderr).toMatch(/reload of broken failed/);
    expect(load.result.failed).toBe(0);
    expect(load.result.ok).toBeGreaterThan(0);
    const after = await cluster('broken');
    expect(after.state).toBe('online');
    expect(serving(after).map((w) => w.pid)).toEqual(before);
    expect(clusterEvents('broken').some((e) => e.type === 'cluster:reload:failed')).toBe(true);
  });

  it('is re-adopted after the daemon is killed with SIGKILL: the same manager and workers, no orphans', async () => {
    const { started, port } = await startCluster('survivor', 3);
    const oldPids = [started.pid!, ...serving(started).map((w) => w.pid!)];
    await crashDaemon(home);
    // The keeper keeps the manager and its workers; the next daemon adopts them as they are.
    client = await startDaemon(home);
    recorder = await recordEvents(client, '*');
    const back = await eventually(async () => {
      const now = (await client.listProcesses()).find((p) => p.name === 'survivor');
      return now?.state === 'online' ? now : null;
    }, 'the cluster re-adopted');
    expect(back.instances).toBe(3);
    expect([back.pid, ...serving(back).map((w) => w.pid)]).toEqual(oldPids);
    const running = processesRunning(home, script).filter((p) => p.pid !== back.pid);
    expect(running).toHaveLength(3);
    expect(await get(port, new http.Agent({ keepAlive: false }))).toBeGreaterThan(0);
  });

  it('restarts as a whole: a new manager and new workers, online again', async () => {
    const { started } = await startCluster('again', 2);
    const cli = await guv(home, ['restart', 'again']);
    expect(cli.code).toBe(0);
    const after = await cluster('again');
    expect(after.state).toBe('online');
    expect(after.pid).not.toBe(started.pid);
    const workers = serving(after);
    expect(workers.every((w) => w.status === 'running')).toBe(true);
    expect(workers.map((w) => w.pid)).not.toEqual(serving(started).map((w) => w.pid));
    for (const pid of [started.pid!, ...serving(started).map((w) => w.pid!)]) {
      expect(alive(pid)).toBe(false);
    }
  });

  it('persists the cluster with its instance count', async () => {
    await startCluster('saved', 3);
    const saved = await eventually(async () => {
      const { readFileSync } = await import('node:fs');
      const state = JSON.parse(readFileSync(home.processesFile, 'utf8')) as {
        processes: Array<{
          definition: { name: string; instances: number | null };
          desired: string;
        }>;
      };
      return state.processes.find((p) => p.definition.name === 'saved' && p.desired === 'running');
    }, 'the saved cluster');
    expect(saved.definition.instances).toBe(3);
  });
});

describe('commands to a cluster', () => {
  it('send, signal, gc and heapdump reach every running worker; write is refused', async () => {
    const { started } = await startCluster('live', 2, fixture('cluster-live.js'));
    const pids = serving(started).map((worker) => worker.pid);
    expect(pids).toHaveLength(2);
    const logged = () =>
      recorder.events
        .filter((e) => e.type === 'worker:log:info')
        .map((e) => (e.args[2] as { message: string }).message);

    expect(await client.process('live').send('my-event', 'a', 1)).toEqual({
      delivered: true,
      workers: 2,
    });
    await eventually(
      () => pids.every((pid) => logged().includes(`my-event ${pid} ["a",1]`)),
      'my-event in both workers',
    );

    const signalled = await guv(home, ['signal', 'live', 'USR2']);
    expect(signalled.code).toBe(0);
    expect(signalled.stdout).toContain('sent SIGUSR2 to 2 workers of live');
    await eventually(
      () => pids.every((pid) => logged().includes(`SIGUSR2 ${pid}`)),
      'SIGUSR2 in both workers',
    );

    const collected = await guv(home, ['gc', 'live']);
    expect(collected.stdout).toBe('collected garbage in 2 workers of live\n');

    const dir = mkdtempSync('/tmp/guvt-heap-');
    scratch.push(dir);
    const dumped = await guv(home, ['heapdump', 'live', join(dir, 'live.heapsnapshot')]);
    expect(dumped.code).toBe(0);
    const files = [0, 1].map((index) => join(dir, `live-worker${index}.heapsnapshot`));
    expect(dumped.stdout.trim().split('\n')).toEqual(files);
    for (const file of files) expect(statSync(file).size).toBeGreaterThan(1000);

    const written = await guv(home, ['write', 'live', 'hello']);
    expect(written.code).not.toBe(0);
    expect(written.stderr).toContain('live is a cluster: its workers read no input');
    expect((await cluster('live')).status).toBe('running');
  });
});

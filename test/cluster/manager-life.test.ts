import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GuvClient, ProcessSummary, StartOptions } from '../../src/client/api.js';
import type { ClusterInfo, WorkerInfo } from '../../src/types/info.js';
import {
  alive,
  cleanupHome,
  eventually,
  fixture,
  guv,
  makeHome,
  processesRunning,
  recordEvents,
  startDaemon,
  type TestHome,
} from '../helpers/daemon-harness.js';
import { freePort } from './load.js';

let home: TestHome;
let client: GuvClient;
let recorder: Awaited<ReturnType<typeof recordEvents>>;
const http = fixture('cluster-http.js');

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
}, 60_000);

afterAll(async () => {
  await cleanupHome(home);
}, 60_000);

async function startCluster(name: string, file: string, options: StartOptions = {}) {
  const port = await freePort();
  return client.startProcess(file, {
    name,
    instances: 2,
    ...options,
    env: { ...home.childEnv, PORT: String(port) },
  });
}

async function listed(name: string): Promise<ProcessSummary> {
  const found = (await client.listProcesses()).find((p) => p.name === name);
  if (!found) throw new Error(`no ${name} in the list`);
  return found;
}

const serving = (summary: ProcessSummary) =>
  (summary.workers ?? []).filter((worker) => worker.role === 'serving');

/** The cluster's and its workers' events, in order, without log lines. */
const eventsOf = (name: string) =>
  recorder.events.filter(
    (e) =>
      (e.type.startsWith('cluster:') || e.type.startsWith('worker:')) &&
      !e.type.includes(':log:') &&
      (e.args[0] as ClusterInfo).name === name,
  );

describe('the cluster chart owns its manager’s whole life', () => {
  it('finding: after kill -9 of the manager every old worker publishes worker:exit, then cluster:restarting (delayMs), then the cluster is online again', async () => {
    const started = await startCluster('phoenix', http);
    expect(started.state).toBe('online');
    const old = serving(started);
    expect(old).toHaveLength(2);
    process.kill(started.pid!, 'SIGKILL');
    const back = await eventually(async () => {
      const now = await listed('phoenix');
      return now.state === 'online' && now.pid !== started.pid ? now : null;
    }, 'phoenix online again with a new manager');
    expect(back.restarts).toBe(1);

    const events = eventsOf('phoenix');
    const types = events.map((e) => e.type);
    const restarting = types.indexOf('cluster:restarting');
    const firstNew = types.indexOf('worker:new', types.indexOf('cluster:failed'));
    for (const worker of old) {
      const exit = events.findIndex(
        (e) => e.type === 'worker:exit' && (e.args[1] as WorkerInfo).id === worker.id,
      );
      expect(exit, `worker:exit of ${worker.id} in ${types.join(', ')}`).toBeGreaterThan(-1);
      expect((events[exit]!.args[1] as WorkerInfo).pid).toBe(worker.pid);
      expect(events[exit]!.args.slice(2)).toEqual([null, 'SIGKILL']);
      expect(exit).toBeLessThan(restarting);
      expect(exit).toBeLessThan(firstNew);
    }
    expect(restarting, types.join(', ')).toBeGreaterThan(-1);
    const [info, delayMs] = events[restarting]!.args as [ClusterInfo, number];
    expect(info).toMatchObject({ name: 'phoenix', status: 'restarting' });
    expect(delayMs).toBeGreaterThanOrEqual(0);
    expect(restarting).toBeLessThan(firstNew);
    expect(types.at(-1)).toBe('cluster:online');
    for (const worker of old) expect(alive(worker.pid!)).toBe(false);
    const why = await guv(home, ['why', 'phoenix']);
    expect(why.stdout).toMatch(
      /restarting at \S+ after the cluster manager died: the cluster manager of phoenix exited with signal SIGKILL; 1st failure; restarting at once/,
    );
  });

  it('aborts a manager that keeps crashing: cluster:aborted, and guv list shows it aborted, not online', async () => {
    const started = await startCluster('doomed', http, { policy: { maxFailures: 1 } });
    process.kill(started.pid!, 'SIGKILL');
    const second = await eventually(async () => {
      const now = await listed('doomed');
      return now.state === 'online' && now.pid !== started.pid ? now : null;
    }, 'doomed back with a second manager');
    process.kill(second.pid!, 'SIGKILL');
    const aborted = await recorder.waitFor(
      (e) => e.type === 'cluster:aborted' && (e.args[0] as ClusterInfo).name === 'doomed',
      'cluster:aborted',
    );
    expect(aborted.args[0]).toMatchObject({ status: 'aborted', pid: null });
    expect(aborted.args[1]).toMatchObject({ code: 'GUV_PROCESS_ABORTED' });
    const after = await listed('doomed');
    expect(after).toMatchObject({ status: 'aborted', state: 'aborted', pid: null });
    expect(after.workers).toEqual([]);
    const text = await guv(home, ['list']);
    expect(text.stdout).toMatch(/doomed \(aborted\)/);
    expect(text.stdout).not.toMatch(/doomed \(online\)/);
    expect(processesRunning(home, http)).toEqual([]);
    // Every worker of both runs said it ended.
    const exits = eventsOf('doomed').filter((e) => e.type === 'worker:exit');
    expect(exits).toHaveLength(4);
  });

  it('a cluster whose every worker slot aborted is not online: it is aborted, with its manager gone', async () => {
    const started = await startCluster('hopeless', fixture('throw-on-load.js'), {
      policy: { maxFailures: 1 },
    });
    expect(started.state).not.toBe('online');
    await eventually(
      () => eventsOf('hopeless').filter((e) => e.type === 'worker:aborted').length === 2,
      'both workers aborted',
    );
    const after = await eventually(async () => {
      const now = await listed('hopeless');
      return now.status === 'running' && now.state === 'ready' ? null : now;
    }, 'the cluster to leave running/ready').catch(() => listed('hopeless'));
    expect(after).toMatchObject({ status: 'aborted', state: 'aborted', pid: null });
    const aborted = eventsOf('hopeless').find((e) => e.type === 'cluster:aborted');
    expect(aborted?.args[1]).toMatchObject({ message: expect.stringMatching(/every worker/) });
    expect(alive(started.pid!)).toBe(false);
    const text = await guv(home, ['list']);
    expect(text.stdout).toMatch(/hopeless \(aborted\)/);
  });
});

describe('worker events', () => {
  it("finding: a worker's guv:config request publishes worker:config:request and the daemon's worker:config:response", async () => {
    await startCluster('configured', fixture('cluster-config.js'));
    await eventually(
      () => eventsOf('configured').filter((e) => e.type === 'worker:config:response').length === 2,
      'two worker:config:response events',
    );
    const requests = eventsOf('configured').filter((e) => e.type === 'worker:config:request');
    expect(requests.map((e) => (e.args[1] as WorkerInfo).index).sort()).toEqual([0, 1]);
    expect(requests.every((e) => e.args[2] === 'name')).toBe(true);
    const responses = eventsOf('configured').filter((e) => e.type === 'worker:config:response');
    for (const response of responses)
      expect(response.args.slice(2)).toEqual(['name', 'configured']);
  });

  it("finding: workerInfo has a name, made of the cluster's name and the worker's index", async () => {
    const started = await startCluster('named', http);
    expect(serving(started).map((w) => w.name)).toEqual(['named#0', 'named#1']);
    const workerEvents = eventsOf('named').filter((e) => e.type.startsWith('worker:'));
    expect(workerEvents.length).toBeGreaterThan(0);
    for (const event of workerEvents) {
      const worker = event.args[1] as WorkerInfo;
      expect(worker.name, event.type).toBe(`named#${worker.index}`);
    }
  });
});

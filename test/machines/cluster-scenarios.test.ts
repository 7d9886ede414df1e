import { describe, expect, it } from 'vitest';
import { createActor, SimulatedClock } from 'xstate';
import { clusterMachine } from '../../src/machines/cluster/cluster-machine.js';
import { createEventRecorder, testSpec } from '../../src/testing/index.js';
import type { ClusterInfo, WorkerInfo } from '../../src/types/info.js';
import { createTestCluster } from './cluster-harness.js';

const cluster = (over: Partial<ClusterInfo> = {}): ClusterInfo => ({
  id: 'web',
  name: 'web',
  script: '/srv/app/server.js',
  pid: 500,
  status: 'running',
  restarts: 0,
  startedAt: 10_000,
  instances: 2,
  ...over,
});
const fresh = (id: string, index: number): WorkerInfo => ({
  id,
  index,
  name: `web#${index}`,
  pid: null,
  status: 'uninitialised',
  restarts: 0,
  startedAt: null,
});

/** A cluster of `instances` workers, all running, events cleared. */
function onlineCluster(instances: number, input = {}) {
  const c = createTestCluster({ instances, ...input });
  c.managerReady(500);
  for (let i = 0; i < instances; i += 1) c.bringUp(`web.${i}`, 1000 + i);
  expect(c.value()).toEqual({ managed: { active: { health: 'online', operation: 'idle' } } });
  c.recorder.clear();
  return c;
}

describe('cluster chart', () => {
  it('starts, is ready when the manager is up and online when both workers run', () => {
    const c = createTestCluster();
    expect(c.recorder.events).toEqual([
      {
        type: 'cluster:starting',
        args: [cluster({ pid: null, status: 'starting', startedAt: null })],
      },
    ]);
    c.managerReady(500);
    expect(c.value()).toEqual({ managed: { active: { health: 'ready', operation: 'idle' } } });
    c.bringUp('web.0', 1001);
    expect(c.value()).toMatchObject({ managed: { active: { health: 'ready' } } });
    c.bringUp('web.1', 1002);
    expect(c.recorder.types()).toEqual([
      'cluster:starting',
      'cluster:ready',
      'worker:new',
      'worker:new',
      'worker:starting',
      'worker:starting',
      'worker:forked',
      'worker:ready',
      'worker:forked',
      'worker:ready',
      'cluster:online',
    ]);
    expect(c.recorder.argsOf('cluster:ready')).toEqual([[cluster()]]);
    expect(c.recorder.argsOf('worker:new')).toEqual([
      [cluster(), fresh('web.0', 0)],
      [cluster(), fresh('web.1', 1)],
    ]);
    expect(c.recorder.argsOf('worker:ready')[1]).toEqual([
      cluster(),
      {
        id: 'web.1',
        index: 1,
        name: 'web#1',
        pid: 1002,
        status: 'running',
        restarts: 0,
        startedAt: 10_000,
      },
    ]);
    expect(c.recorder.argsOf('cluster:online')).toEqual([[cluster()]]);
    expect(c.actor.getSnapshot().context.history.map((h) => h.to)).toEqual([
      'starting',
      'ready',
      'online',
    ]);
    expect(c.errors).toEqual([]);
  });

  it('leaves online while a crashed worker is replaced, and comes back', () => {
    const c = onlineCluster(2);
    c.child.exit(1, null, 'web.0');
    expect(c.value()).toMatchObject({ managed: { active: { health: 'ready' } } });
    c.clock.increment(0); // the first restart is immediate
    c.bringUp('web.0', 1003);
    expect(c.recorder.types()).toEqual([
      'worker:exit',
      'worker:restarting',
      'worker:starting',
      'worker:forked',
      'worker:ready',
      'worker:restarted',
      'cluster:online',
    ]);
    expect(c.recorder.argsOf('worker:exit')).toEqual([
      [
        cluster(),
        {
          id: 'web.0',
          index: 0,
          name: 'web#0',
          pid: 1000,
          status: 'running',
          restarts: 0,
          startedAt: 10_000,
        },
        1,
        null,
      ],
    ]);
    expect(c.value()).toMatchObject({ managed: { active: { health: 'online' } } });
    expect(c.workers()).toEqual([
      { id: 'web.0', status: 'running' },
      { id: 'web.1', status: 'running' },
    ]);
  });

  it('resizes 2 → 4 → 1, retiring the highest slots gracefully', () => {
    const c = onlineCluster(2);
    c.actor.send({ type: 'RESIZE', instances: 4 });
    expect(c.value()).toMatchObject({ managed: { active: { health: 'ready' } } });
    c.bringUp('web.2', 1002);
    c.bringUp('web.3', 1003);
    const four = cluster({ instances: 4 });
    expect(c.recorder.events.filter((e) => e.type.startsWith('cluster:'))).toEqual([
      { type: 'cluster:resized', args: [four, 2, 4] },
      { type: 'cluster:online', args: [four] },
    ]);
    expect(c.recorder.argsOf('worker:new')).toEqual([
      [four, fresh('web.2', 2)],
      [four, fresh('web.3', 3)],
    ]);
    c.recorder.clear();

    c.actor.send({ type: 'RESIZE', instances: 1 });
    const one = cluster({ instances: 1 });
    expect(c.recorder.types()).toEqual([
      'cluster:resized',
      'worker:stopping',
      'worker:stopping',
      'worker:stopping',
    ]);
    expect(c.recorder.argsOf('cluster:resized')).toEqual([[one, 4, 1]]);
    // Retiring workers carry the new cluster info (CLUSTER.UPDATED) and keep serving until they exit.
    expect(c.recorder.argsOf('worker:stopping').map(([info, worker]) => [info, worker.id])).toEqual(
      [
        [one, 'web.1'],
        [one, 'web.2'],
        [one, 'web.3'],
      ],
    );
    expect(c.child.signals()).toEqual(['SIGTERM', 'SIGTERM', 'SIGTERM']);
    for (const id of ['web.1', 'web.2', 'web.3']) c.child.exit(null, 'SIGTERM', id);
    expect(c.workers()).toEqual([{ id: 'web.0', status: 'running' }]);
    expect(c.actor.getSnapshot().context.retiring).toEqual([]);
    expect(c.value()).toMatchObject({ managed: { active: { health: 'online' } } });
    expect(c.recorder.types().filter((t) => t.startsWith('cluster:'))).toEqual(['cluster:resized']);
  });

  it('reloads 4 workers one by one, never running fewer than 4', () => {
    const c = onlineCluster(4, { instances: 4 });
    const four = cluster({ instances: 4 });
    const lowest: number[] = [];
    const check = () => {
      lowest.push(c.running());
      expect(c.running()).toBeGreaterThanOrEqual(4);
    };
    c.actor.subscribe(check);

    c.actor.send({ type: 'RELOAD' });
    check();
    const newIds = ['web.0.1', 'web.1.2', 'web.2.3', 'web.3.4'];
    newIds.forEach((id, index) => {
      expect(c.workers().map((w) => w.id)).toContain(id);
      c.child.fork(2000 + index, id);
      check();
      c.child.ready(id);
      check();
      expect(c.child.isAlive(`web.${index}`)).toBe(true);
      c.child.exit(null, 'SIGTERM', `web.${index}`);
      check();
    });

    expect(c.workers().map((w) => w.id)).toEqual(newIds);
    expect(c.running()).toBe(4);
    expect(Math.min(...lowest)).toBe(4);
    expect(c.recorder.events.filter((e) => e.type.startsWith('cluster:'))).toEqual([
      { type: 'cluster:reloading', args: [four] },
      { type: 'cluster:reloaded', args: [four] },
    ]);
    expect(c.recorder.types().slice(0, 8)).toEqual([
      'cluster:reloading',
      'worker:new',
      'worker:starting',
      'worker:forked',
      'worker:ready',
      // The next slot's new worker starts while the replaced one is still stopping.
      'worker:new',
      'worker:stopping',
      'worker:starting',
    ]);
    expect(c.recorder.argsOf('worker:new')[0]).toEqual([four, fresh('web.0.1', 0)]);
    // `guv why` shows how the reload ended.
    expect(
      c.actor
        .getSnapshot()
        .context.history.slice(-2)
        .map(({ from, to }) => `${from} → ${to}`),
    ).toEqual(['online → reloading', 'reloading → reloaded']);
    expect(c.recorder.argsOf('worker:stopped')[0]).toEqual([
      four,
      {
        id: 'web.0',
        index: 0,
        name: 'web#0',
        pid: null,
        status: 'stopped',
        restarts: 0,
        startedAt: null,
      },
    ]);
    expect(c.value()).toEqual({ managed: { active: { health: 'online', operation: 'idle' } } });
  });

  it('waits for a new worker to listen when told to, once the app listens at all', () => {
    const c = onlineCluster(1, { instances: 1, reloadWaitsForListening: true });
    c.actor.send({ type: 'WORKER.LISTENING', workerId: 'web.0' });
    c.actor.send({ type: 'RELOAD' });
    c.bringUp('web.0.1', 2000);
    expect(c.value()).toMatchObject({
      managed: { active: { operation: { reloading: 'waiting' } } },
    });
    expect(c.child.signals()).toEqual([]);
    c.actor.send({ type: 'WORKER.LISTENING', workerId: 'web.0.1' });
    expect(c.child.signals()).toEqual(['SIGTERM']);
    c.child.exit(null, 'SIGTERM', 'web.0');
    expect(c.recorder.types().slice(-4)).toEqual([
      'cluster:reloaded',
      'worker:stopping',
      'worker:exit',
      'worker:stopped',
    ]);
  });

  it('keeps the old workers when a new one crashes on start, and reports the failure', () => {
    const c = onlineCluster(2);
    c.actor.subscribe(() => expect(c.running()).toBeGreaterThanOrEqual(2));
    c.actor.send({ type: 'RELOAD' });
    c.child.fork(2000, 'web.0.1');
    c.child.exit(1, null, 'web.0.1');
    expect(c.recorder.types()).toEqual([
      'cluster:reloading',
      'worker:new',
      'worker:starting',
      'worker:forked',
      'worker:exit',
      'worker:restarting',
      'cluster:reload:failed',
      'worker:stopped',
    ]);
    expect(c.recorder.argsOf('cluster:reload:failed')).toEqual([
      [
        cluster(),
        {
          name: 'GuvError',
          code: 'GUV_RELOAD_FAILED',
          message:
            'new worker web.0.1 for slot 0 went restarting before it was running; old workers kept',
        },
      ],
    ]);
    expect(c.workers()).toEqual([
      { id: 'web.0', status: 'running' },
      { id: 'web.1', status: 'running' },
    ]);
    expect(c.child.signals()).toEqual([]);
    expect(c.value()).toEqual({ managed: { active: { health: 'online', operation: 'idle' } } });
    expect(c.actor.getSnapshot().context.history.at(-1)).toMatchObject({
      from: 'reloading',
      to: 'reload-failed',
    });
  });

  it('gives up a reload whose new worker is not ready in time', () => {
    const c = onlineCluster(2, { reloadTimeoutMs: 5_000 });
    c.actor.send({ type: 'RELOAD' });
    c.child.fork(2000, 'web.0.1');
    c.clock.increment(5_000);
    expect(c.recorder.argsOf('cluster:reload:failed')).toEqual([
      [
        cluster(),
        {
          name: 'GuvError',
          code: 'GUV_RELOAD_TIMEOUT',
          message: 'new worker web.0.1 for slot 0 was not ready within 5000 ms; old workers kept',
        },
      ],
    ]);
    // The abandoned worker is stopped gracefully and dropped once it exits.
    expect(c.child.signals()).toEqual(['SIGTERM']);
    c.child.exit(null, 'SIGTERM', 'web.0.1');
    expect(c.workers().map((w) => w.id)).toEqual(['web.0', 'web.1']);
  });

  it('stops every worker, then itself and its manager', () => {
    const c = onlineCluster(2);
    c.actor.send({ type: 'STOP' });
    expect(c.recorder.types()).toEqual(['cluster:stopping', 'worker:stopping', 'worker:stopping']);
    const stopping = cluster({ status: 'stopping' });
    expect(c.recorder.argsOf('cluster:stopping')).toEqual([[stopping]]);
    expect(c.recorder.argsOf('worker:stopping')[0]?.[0]).toEqual(stopping);
    c.child.exit(null, 'SIGTERM', 'web.0');
    expect(c.managerStopped()).toBe(false);
    c.child.exit(null, 'SIGTERM', 'web.1');
    expect(c.recorder.events.at(-1)).toEqual({
      type: 'cluster:stopped',
      args: [cluster({ status: 'stopped', pid: null, startedAt: null })],
    });
    expect(c.value()).toBe('stopped');
    expect(c.managerStopped()).toBe(true);
    expect(c.workers()).toEqual([]);
  });

  it('stops the new worker too when stopped in the middle of a reload', () => {
    const c = onlineCluster(2);
    c.actor.send({ type: 'RELOAD' });
    c.child.fork(2000, 'web.0.1');
    c.actor.send({ type: 'RESIZE', instances: 5 }); // ignored while reloading
    expect(c.actor.getSnapshot().context.instances).toBe(2);
    c.actor.send({ type: 'STOP' });
    expect(c.child.signals()).toEqual(['SIGTERM', 'SIGTERM', 'SIGTERM']);
    for (const id of ['web.0', 'web.1', 'web.0.1']) c.child.exit(null, 'SIGTERM', id);
    expect(c.value()).toBe('stopped');
    expect(c.recorder.types().filter((t) => t.startsWith('cluster:'))).toEqual([
      'cluster:reloading',
      'cluster:stopping',
      'cluster:stopped',
    ]);
  });

  it('stops at once when asked before the manager is up', () => {
    const c = createTestCluster();
    c.actor.send({ type: 'STOP' });
    expect(c.recorder.types()).toEqual(['cluster:starting', 'cluster:stopping', 'cluster:stopped']);
    expect(c.value()).toBe('stopped');
  });

  it('survives a worker chart that throws, counting its slot as failed', () => {
    const c = createTestCluster(
      {},
      (e) => e.type === 'worker:forked' && (e.args[1] as WorkerInfo).id === 'web.1',
    );
    c.managerReady(500);
    c.bringUp('web.0', 1000);
    c.child.fork(1001, 'web.1');
    expect(c.errors).toEqual([]);
    expect(c.recorder.argsOf('cluster:log:error')).toEqual([
      [cluster(), { date: 10_000, message: 'worker web.1 broke: publish broke on worker:forked' }],
    ]);
    expect(c.workers()).toEqual([{ id: 'web.0', status: 'running' }]);
    expect(c.actor.getSnapshot().context.slots[1]).toMatchObject({
      status: 'failed',
      broken: true,
    });
    expect(c.value()).toMatchObject({ managed: { active: { health: 'ready' } } });
    // A reload replaces the broken worker.
    c.actor.send({ type: 'RELOAD' });
    c.bringUp('web.0.1', 2000);
    c.child.exit(null, 'SIGTERM', 'web.0');
    c.bringUp('web.1.2', 2001);
    expect(c.workers()).toEqual([
      { id: 'web.0.1', status: 'running' },
      { id: 'web.1.2', status: 'running' },
    ]);
    expect(c.recorder.types().slice(-2)).toEqual(['cluster:reloaded', 'cluster:online']);
  });

  it('fails loudly when no manager actor was provided', () => {
    const recorder = createEventRecorder();
    const clock = new SimulatedClock();
    const actor = createActor(clusterMachine.provide({ actions: { publish: recorder.publish } }), {
      clock,
      input: { id: 'web', name: 'web', spec: testSpec(), instances: 2, clock },
    }).start();
    actor.send({ type: 'START' });
    expect(actor.getSnapshot().value).toBe('restarting');
    expect(recorder.argsOf('cluster:failed')[0]?.[1]).toMatchObject({
      code: 'GUV_ACTOR_NOT_PROVIDED',
      message: expect.stringContaining('no manager actor for cluster web'),
    });
  });

  it('rejects a bad instance count', () => {
    const clock = new SimulatedClock();
    const input = { id: 'web', name: 'web', spec: testSpec(), instances: 0, clock };
    const actor = createActor(clusterMachine, { input });
    const errors: unknown[] = [];
    actor.subscribe({ error: (e) => errors.push(e) });
    actor.start();
    expect(String(errors[0])).toMatch(/instances must be an integer ≥ 1, received 0/);
  });
});

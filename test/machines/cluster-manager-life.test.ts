import { describe, expect, it } from 'vitest';
import type { ClusterInfo, WorkerInfo } from '../../src/types/info.js';
import { createTestCluster } from './cluster-harness.js';

const died = { name: 'GuvError', code: 'GUV_MANAGER_FAILED', message: 'manager died' };

/** A cluster of `instances` workers, all running, events cleared. */
function onlineCluster(instances = 2, input = {}) {
  const c = createTestCluster({ instances, ...input });
  c.managerReady(500);
  for (let i = 0; i < instances; i += 1) c.bringUp(`web.${i}`, 1000 + i);
  expect(c.value()).toEqual({ managed: { active: { health: 'online', operation: 'idle' } } });
  c.recorder.clear();
  return c;
}

const clusterOf = (c: ReturnType<typeof createTestCluster>) => c.actor.getSnapshot().context;

describe('the cluster chart over its manager’s whole life', () => {
  it('a manager that never says it is ready fails at the chart’s deadline and is restarted', () => {
    const c = createTestCluster({ instances: 2, managerReadyTimeoutMs: 2000 });
    c.clock.increment(1999);
    expect(c.value()).toEqual({ managed: 'starting' });
    c.clock.increment(1);
    expect(c.recorder.argsOf('cluster:failed')).toEqual([
      [
        expect.objectContaining({ status: 'failed' }),
        expect.objectContaining({
          code: 'GUV_TIMEOUT',
          message: 'the cluster manager of web was not ready within 2000 ms',
        }),
      ],
    ]);
    expect(c.managerStopped()).toBe(true);
    expect(c.value()).toBe('restarting');
  });

  it('reports every worker gone with its manager, then restarts: cluster:restarting (delayMs), new manager, new workers', () => {
    const c = onlineCluster();
    c.managerFailed(died);
    expect(c.recorder.types()).toEqual([
      'cluster:failed',
      'worker:stopping',
      'worker:stopping',
      'worker:exit',
      'worker:stopped',
      'worker:exit',
      'worker:stopped',
      'cluster:restarting',
    ]);
    const exits = c.recorder.argsOf('worker:exit');
    expect(exits.map(([, worker, code, signal]) => [worker.id, worker.pid, code, signal])).toEqual([
      ['web.0', 1000, null, 'SIGKILL'],
      ['web.1', 1001, null, 'SIGKILL'],
    ]);
    // The workers' events carry the cluster as it is now: failed, its manager gone.
    expect(exits[0]?.[0]).toMatchObject({ status: 'failed', pid: null });
    expect(c.recorder.argsOf('cluster:failed')).toEqual([
      [expect.objectContaining({ status: 'failed', pid: 500 }), died],
    ]);
    const [[info, delayMs]] = c.recorder.argsOf('cluster:restarting') as [[ClusterInfo, number]];
    expect(info).toMatchObject({ status: 'restarting', pid: null, restarts: 0 });
    expect(delayMs).toBe(0);
    expect(c.value()).toBe('restarting');
    expect(c.workers()).toEqual([]);
    expect(c.managerStopped()).toBe(true);

    c.recorder.clear();
    c.clock.increment(0);
    expect(c.managerRuns()).toBe(2);
    c.managerReady(600);
    expect(c.recorder.types().slice(0, 4)).toEqual([
      'cluster:starting',
      'cluster:ready',
      'worker:new',
      'worker:new',
    ]);
    expect(c.recorder.argsOf('worker:new').map(([, worker]) => worker.id)).toEqual([
      'web.0',
      'web.1',
    ]);
    c.bringUp('web.0', 2000);
    c.bringUp('web.1', 2001);
    expect(c.value()).toEqual({ managed: { active: { health: 'online', operation: 'idle' } } });
    expect(c.recorder.argsOf('cluster:online')).toEqual([
      [expect.objectContaining({ pid: 600, restarts: 1, status: 'running' })],
    ]);
    expect(clusterOf(c).history.map((h) => h.to)).toEqual([
      'starting',
      'ready',
      'online',
      'failed',
      'restarting',
      'starting',
      'ready',
      'online',
    ]);
    expect(clusterOf(c).history.find((h) => h.to === 'restarting')?.cause).toMatchObject({
      event: 'MANAGER.FAILED',
      delayMs: 0,
    });
  });

  it('backs off by the restart policy on the daemon’s clock, and aborts a manager that keeps dying', () => {
    const c = createTestCluster({ policy: { maxFailures: 2, backoffBaseMs: 1000 } });
    c.managerFailed(died);
    expect(c.recorder.argsOf('cluster:restarting').at(-1)?.[1]).toBe(0);
    c.clock.increment(0);
    c.managerFailed(died);
    expect(c.recorder.argsOf('cluster:restarting').at(-1)?.[1]).toBe(1000);
    c.clock.increment(999);
    expect(c.value()).toBe('restarting');
    expect(c.managerRuns()).toBe(2);
    c.clock.increment(1);
    expect(c.managerRuns()).toBe(3);
    c.managerFailed(died);
    expect(c.value()).toBe('aborted');
    const [info, error] = c.recorder.argsOf('cluster:aborted')[0]!;
    expect(info).toMatchObject({ status: 'aborted', pid: null, restarts: 2 });
    expect(error).toMatchObject({
      code: 'GUV_PROCESS_ABORTED',
      message: expect.stringMatching(/^aborted after 3 failures/),
    });
    expect(clusterOf(c).lastError).toEqual(error);
    c.clock.increment(60_000);
    expect(c.managerRuns()).toBe(3);

    // START again begins afresh, with the failures forgotten.
    c.recorder.clear();
    c.actor.send({ type: 'START' });
    expect(c.managerRuns()).toBe(4);
    expect(c.recorder.types()).toEqual(['cluster:starting']);
    c.managerFailed(died);
    expect(c.recorder.argsOf('cluster:restarting').at(-1)?.[1]).toBe(0);
  });

  it('rests in failed when the policy never restarts, until started again', () => {
    const c = createTestCluster({ policy: { mode: 'never' } });
    c.managerReady(500);
    c.managerFailed(died);
    expect(c.value()).toBe('failed');
    expect(c.recorder.types().filter((t) => t.startsWith('cluster:'))).toEqual([
      'cluster:starting',
      'cluster:ready',
      'cluster:failed',
    ]);
    expect(clusterOf(c).status).toBe('failed');
    c.actor.send({ type: 'START' });
    expect(c.value()).toEqual({ managed: 'starting' });
  });

  it('stops instead of restarting when told to stop while restarting', () => {
    const c = createTestCluster({ policy: { backoffBaseMs: 1000 } });
    c.managerFailed(died);
    c.clock.increment(0);
    c.managerFailed(died);
    expect(c.value()).toBe('restarting');
    c.actor.send({ type: 'STOP' });
    expect(c.value()).toBe('stopped');
    c.clock.increment(5_000);
    expect(c.managerRuns()).toBe(2);
    expect(c.recorder.types().at(-1)).toBe('cluster:stopped');
  });

  it('ends stopped, its workers reported gone, when the manager dies while the cluster stops', () => {
    const c = onlineCluster();
    c.actor.send({ type: 'STOP' });
    c.child.exit(null, 'SIGTERM', 'web.0');
    c.managerFailed(died);
    expect(c.value()).toBe('stopped');
    expect(c.recorder.types()).toEqual([
      'cluster:stopping',
      'worker:stopping',
      'worker:stopping',
      'worker:exit',
      'worker:stopped',
      'worker:exit',
      'worker:stopped',
      'cluster:stopped',
    ]);
    expect(c.recorder.argsOf('worker:exit')[1]?.slice(2)).toEqual([null, 'SIGKILL']);
  });

  it('is aborted, its manager stopped, once every worker slot aborted; one slot down is only ready', () => {
    const c = onlineCluster(2, { policy: { maxFailures: 1 } });
    c.child.exit(1, null, 'web.0');
    c.clock.increment(0);
    c.child.exit(1, null, 'web.0');
    expect(c.workers()).toContainEqual({ id: 'web.0', status: 'aborted' });
    expect(c.value()).toEqual({ managed: { active: { health: 'ready', operation: 'idle' } } });
    expect(clusterOf(c).status).toBe('running');

    c.child.exit(1, null, 'web.1');
    c.clock.increment(0);
    c.child.exit(1, null, 'web.1');
    expect(c.value()).toBe('aborted');
    expect(c.managerStopped()).toBe(true);
    expect(c.workers()).toEqual([]);
    const [info, error] = c.recorder.argsOf('cluster:aborted')[0]!;
    expect(info).toMatchObject({ status: 'aborted', pid: null });
    expect(error).toMatchObject({
      code: 'GUV_PROCESS_ABORTED',
      message: 'every worker aborted (2 of 2); see guv why web --worker <index>',
    });
    expect(c.recorder.types().filter((t) => t === 'worker:exit')).toHaveLength(4);
    expect(c.recorder.types().filter((t) => t.startsWith('cluster:'))).toEqual(['cluster:aborted']);
  });

  it('takes a resize while resting: the next run starts that many workers', () => {
    const c = onlineCluster();
    c.actor.send({ type: 'STOP' });
    c.child.exit(null, 'SIGTERM', 'web.0');
    c.child.exit(null, 'SIGTERM', 'web.1');
    c.recorder.clear();
    c.actor.send({ type: 'RESIZE', instances: 3 });
    expect(c.recorder.argsOf('cluster:resized')).toEqual([
      [expect.objectContaining({ instances: 3, status: 'stopped' }), 2, 3],
    ]);
    c.actor.send({ type: 'START' });
    c.managerReady(700);
    expect(c.recorder.argsOf('worker:new').map(([, worker]) => worker.index)).toEqual([0, 1, 2]);
  });

  it('waits for START, and stops from idle without a manager', () => {
    const c = createTestCluster({}, () => false, false);
    expect(c.value()).toBe('idle');
    expect(clusterOf(c).status).toBe('uninitialised');
    expect(c.managerRuns()).toBe(0);
    c.actor.send({ type: 'STOP' });
    expect(c.value()).toBe('stopped');
    expect(c.recorder.types()).toEqual(['cluster:stopped']);
    c.actor.send({ type: 'START' });
    expect(c.value()).toEqual({ managed: 'starting' });
    expect(c.managerRuns()).toBe(1);
  });

  it('names each worker after its cluster and slot in every worker event', () => {
    const c = createTestCluster();
    c.managerReady(500);
    c.bringUp('web.0', 1000);
    const named = c.recorder.events
      .filter((e) => e.type.startsWith('worker:'))
      .map((e) => [e.type, (e.args[1] as WorkerInfo).name]);
    expect(named).toContainEqual(['worker:new', 'web#1']);
    expect(named).toContainEqual(['worker:ready', 'web#0']);
    expect(named.every(([, name]) => name === 'web#0' || name === 'web#1')).toBe(true);
  });

  it('reloads an app that never listens once each new worker is running', () => {
    const c = onlineCluster(1, { instances: 1, reloadWaitsForListening: true });
    c.actor.send({ type: 'RELOAD' });
    c.bringUp('web.0.1', 2000);
    expect(c.child.signals()).toEqual(['SIGTERM']);
    c.child.exit(null, 'SIGTERM', 'web.0');
    expect(c.recorder.types()).toContain('cluster:reloaded');
    expect(clusterOf(c).lastReload).toBe('reloaded');
  });
});

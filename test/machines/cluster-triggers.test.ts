import { describe, expect, it } from 'vitest';
import { createTestCluster } from './cluster-harness.js';

const MiB = 1024 ** 2;

function onlineCluster(instances: number, triggers: Record<string, unknown>) {
  const c = createTestCluster({
    instances,
    triggers: { watch: null, maxMemoryBytes: null, cronRestart: null, ...triggers },
  });
  c.managerReady(500);
  for (let i = 0; i < instances; i += 1) c.bringUp(`web.${i}`, 1000 + i);
  expect(c.value()).toEqual({ managed: { active: { health: 'online', operation: 'idle' } } });
  c.recorder.clear();
  return c;
}

const reloading = (c: ReturnType<typeof createTestCluster>) =>
  c.actor.getSnapshot().context.history.filter((entry) => entry.to === 'reloading');

describe('restart triggers of a cluster', () => {
  it('a worker over the memory limit is replaced by a new one first: its slot never goes dark', () => {
    const c = onlineCluster(2, { maxMemoryBytes: 80 * MiB });
    const lowest: number[] = [];
    c.actor.subscribe(() => lowest.push(c.running()));
    c.child.send({ type: 'CHILD.HEARTBEAT', rssBytes: 50 * MiB }, 'web.1');
    expect(c.value()).toMatchObject({ managed: { active: { operation: 'idle' } } });
    c.child.send({ type: 'CHILD.HEARTBEAT', rssBytes: 90 * MiB }, 'web.1');
    // The old worker is not told to stop until its replacement runs.
    expect(c.child.signals()).toEqual([]);
    expect(c.workers().map((w) => w.id)).toEqual(['web.0', 'web.1', 'web.1.1']);
    c.child.fork(2001, 'web.1.1');
    c.child.ready('web.1.1');
    expect(c.child.signals()).toEqual(['SIGTERM']);
    c.child.exit(null, 'SIGTERM', 'web.1');
    expect(c.workers().map((w) => w.id)).toEqual(['web.0', 'web.1.1']);
    expect(Math.min(...lowest)).toBe(2);
    expect(reloading(c).at(-1)?.cause).toMatchObject({
      by: 'memory',
      restart: 'restarted: RSS 90 MiB over the 80 MiB limit (worker 1)',
    });
    // Slot 0 was left alone, and nothing counts as a failure.
    expect(c.child.isAlive('web.0')).toBe(true);
    expect(c.actor.getSnapshot().context.failure.failures).toEqual([]);
  });

  it('a second report while the replacement is under way changes nothing', () => {
    const c = onlineCluster(2, { maxMemoryBytes: 80 * MiB });
    c.child.send({ type: 'CHILD.HEARTBEAT', rssBytes: 90 * MiB }, 'web.1');
    c.child.send({ type: 'CHILD.HEARTBEAT', rssBytes: 95 * MiB }, 'web.1');
    c.child.send({ type: 'CHILD.HEARTBEAT', rssBytes: 95 * MiB }, 'web.0');
    expect(c.workers().map((w) => w.id)).toEqual(['web.0', 'web.1', 'web.1.1']);
  });

  it('settled file changes reload every worker, one at a time', () => {
    const c = onlineCluster(2, { watch: { paths: ['/srv/app'], ignore: [], delayMs: 500 } });
    c.actor.send({ type: 'WATCH.CHANGED', path: 'a.js' });
    c.clock.increment(400);
    c.actor.send({ type: 'WATCH.CHANGED', path: 'b.js' });
    c.clock.increment(400);
    expect(c.value()).toMatchObject({ managed: { active: { operation: 'idle' } } });
    expect(reloading(c)).toHaveLength(0);
    c.clock.increment(100);
    expect(reloading(c)).toHaveLength(1);
    expect(c.workers().map((w) => w.id)).toEqual(['web.0', 'web.1', 'web.0.1']);
    expect(reloading(c)[0]?.cause).toMatchObject({
      by: 'watch',
      restart: 'restarted: b.js changed',
    });
  });

  it('cron reloads the cluster at the next time and schedules the one after', () => {
    const c = onlineCluster(1, { cronRestart: '0 */5 * * * *' });
    // The harness clock starts at 10 s: the next five-minute mark is 300 s.
    expect(c.actor.getSnapshot().context.cronNextAt).toBe(300_000);
    c.clock.increment(289_000);
    expect(reloading(c)).toHaveLength(0);
    c.clock.increment(1000);
    expect(reloading(c)).toHaveLength(1);
    expect(reloading(c)[0]?.cause.by).toBe('cron');
    expect(c.actor.getSnapshot().context.cronNextAt).toBe(600_000);
  });
});

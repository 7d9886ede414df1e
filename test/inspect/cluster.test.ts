import { describe, expect, it } from 'vitest';
import { createActor, type EventObject, fromCallback, SimulatedClock } from 'xstate';
import type { ManagerInput } from '../../src/machines/cluster/cluster-types.js';
import { createChartRegistry, type RegistryUpdate } from '../../src/inspect/index.js';
import { provideCluster } from '../../src/machines/cluster/provide-cluster.js';
import { createFakeChild, testSpec } from '../../src/testing/index.js';

function startCluster(registry: ReturnType<typeof createChartRegistry>) {
  const clock = new SimulatedClock();
  const child = createFakeChild();
  let ready: ((event: { type: 'MANAGER.READY'; pid: number }) => void) | undefined;
  const manager = fromCallback<EventObject, ManagerInput>(({ sendBack }) => {
    ready = sendBack;
  });
  const actor = createActor(provideCluster({ manager, child: child.logic, publish: () => {} }), {
    clock,
    input: { id: 'web', name: 'web', spec: testSpec(), instances: 2, clock },
    inspect: registry.inspect,
  });
  registry.track({
    id: 'web',
    kind: 'cluster',
    name: 'web',
    chart: 'cluster',
    actor,
    children: { kind: 'worker', chart: 'worker' },
  });
  actor.start();
  actor.send({ type: 'START' });
  return { actor, child, managerReady: () => ready!({ type: 'MANAGER.READY', pid: 500 }) };
}

describe('chart registry with a cluster', () => {
  it('lists the workers a cluster spawns, under it, without being told', () => {
    const registry = createChartRegistry();
    const { child, managerReady } = startCluster(registry);
    managerReady();
    child.fork(1000, 'web.0');
    child.ready('web.0');
    const list = registry.list();
    expect(list.map((a) => [a.id, a.kind, a.parentId, a.status])).toEqual([
      ['web', 'cluster', null, expect.any(String)],
      ['web.0', 'worker', 'web', 'running'],
      ['web.1', 'worker', 'web', 'starting'],
    ]);
    expect(registry.get('web.0')?.history.map((h) => h.to)).toEqual([
      'starting',
      'forked',
      'running',
    ]);
  });

  it('streams worker transitions and announces workers spawned while watched', () => {
    const registry = createChartRegistry();
    const updates: RegistryUpdate[] = [];
    registry.subscribe((u) => updates.push(u));
    const { actor, child, managerReady } = startCluster(registry);
    managerReady();
    child.fork(1000, 'web.1');
    const tracked = updates.flatMap((u) => (u.type === 'tracked' ? [u.actor.id] : []));
    expect(tracked).toEqual(['web', 'web.0', 'web.1']);
    const worker1 = updates.flatMap((u) =>
      u.type === 'transition' && u.id === 'web.1' ? [u.to] : [],
    );
    expect(worker1.at(-1)).toBe('forked');
    actor.stop();
  });
});

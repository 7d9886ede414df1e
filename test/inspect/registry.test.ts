import { createActor, SimulatedClock } from 'xstate';
import { describe, expect, it } from 'vitest';
import { createChartRegistry, type RegistryUpdate } from '../../src/inspect/index.js';
import { machineToGraph } from '../../src/graph/index.js';
import { processMachine } from '../../src/machines/index.js';
import { createFakeChild, createEventRecorder, testSpec } from '../../src/testing/index.js';

function startProcess(
  registry: ReturnType<typeof createChartRegistry>,
  id = 'web',
  inspect = true,
) {
  const clock = new SimulatedClock();
  const child = createFakeChild();
  const recorder = createEventRecorder();
  const machine = processMachine.provide({
    actors: { child: child.logic },
    actions: { publish: recorder.publish },
  });
  const actor = createActor(machine, {
    clock,
    input: { id, name: id, spec: testSpec(), clock, policy: { mode: 'always' } },
    ...(inspect ? { inspect: registry.inspect } : {}),
  }).start();
  registry.track({ id, kind: 'process', name: id, chart: 'process', actor });
  return { actor, child, clock };
}

function transitions(updates: RegistryUpdate[]) {
  return updates.flatMap((u) => (u.type === 'transition' ? [u] : []));
}

describe('chart registry', () => {
  it('lists tracked actors with their active leaf state ids', () => {
    const registry = createChartRegistry();
    const { actor, child } = startProcess(registry);
    expect(registry.list()).toEqual([
      expect.objectContaining({
        id: 'web',
        kind: 'process',
        state: ['process.uninitialised'],
        status: 'uninitialised',
      }),
    ]);
    actor.send({ type: 'START', by: 'cli' });
    child.fork(42);
    child.ready();
    expect(registry.list()[0]).toMatchObject({ state: ['running'], status: 'running' });
    const ids = new Set(machineToGraph(processMachine).nodes.map((n) => n.id));
    expect(ids.has('running')).toBe(true);
  });

  it('gives late viewers the current state and the history kept by the chart', () => {
    const registry = createChartRegistry();
    const { actor, child } = startProcess(registry);
    actor.send({ type: 'START', by: 'cli' });
    child.fork(42);
    child.ready();
    child.exit(1, null);
    const detail = registry.get('web');
    expect(detail?.status).toBe('restarting');
    expect(detail?.history.map((h) => h.to)).toEqual([
      'starting',
      'forked',
      'running',
      'restarting',
    ]);
    expect(detail?.history.at(-1)?.cause).toMatchObject({ event: 'CHILD.EXIT', code: 1 });
    expect(detail?.history[0]?.cause).toMatchObject({ event: 'START', by: 'cli' });
  });

  it('streams transitions, transient ones included, with the graph edges taken', () => {
    const registry = createChartRegistry();
    const { actor, child, clock } = startProcess(registry);
    const updates: RegistryUpdate[] = [];
    registry.subscribe((u) => updates.push(u));
    actor.send({ type: 'START' });
    child.fork(7);
    child.errored('boom');
    child.exit(1, null);
    clock.increment(60_000);
    const seen = transitions(updates);
    expect(seen.map((u) => u.to)).toEqual([
      'starting',
      'forked',
      'errored',
      'restarting',
      'starting',
    ]);
    const errored = seen[2]!;
    expect(errored).toMatchObject({
      id: 'web',
      from: 'forked',
      event: 'CHILD.ERRORED',
      cause: { error: 'boom' },
    });
    const graph = machineToGraph(processMachine);
    const edgeIds = new Set(graph.edges.map((e) => e.id));
    for (const update of seen) {
      expect(update.edges.length).toBeGreaterThan(0);
      for (const edge of update.edges) expect(edgeIds.has(edge)).toBe(true);
    }
    expect(seen[3]!.cause).toMatchObject({ event: 'CHILD.EXIT', code: 1 });
  });

  it('reports settled states of actors created without the inspector', () => {
    const registry = createChartRegistry();
    const { actor } = startProcess(registry, 'plain', false);
    const updates: RegistryUpdate[] = [];
    registry.subscribe((u) => updates.push(u));
    actor.send({ type: 'STOP', by: 'api' });
    expect(transitions(updates)).toEqual([
      expect.objectContaining({
        id: 'plain',
        from: 'uninitialised',
        to: 'stopped',
        cause: expect.objectContaining({ by: 'api' }),
      }),
    ]);
  });

  it('computes nothing and observes nothing while nobody subscribes', () => {
    const registry = createChartRegistry();
    const { actor, child } = startProcess(registry);
    let observers = 0;
    const subscribe = actor.subscribe.bind(actor);
    actor.subscribe = ((...args: Parameters<typeof subscribe>) => {
      observers++;
      return subscribe(...args);
    }) as typeof actor.subscribe;
    actor.send({ type: 'START' });
    child.fork(1);
    expect(observers).toBe(0);
    const unsubscribe = registry.subscribe(() => {});
    expect(observers).toBe(1);
    unsubscribe();
    const updates: RegistryUpdate[] = [];
    child.ready();
    expect(updates).toEqual([]);
    // The next subscriber starts from the current state, not from what it missed.
    registry.subscribe((u) => updates.push(u));
    actor.send({ type: 'STOP' });
    expect(transitions(updates).map((u) => [u.from, u.to])).toEqual([['running', 'stopping']]);
  });

  it('announces actors tracked and untracked while someone watches', () => {
    const registry = createChartRegistry();
    const updates: RegistryUpdate[] = [];
    registry.subscribe((u) => updates.push(u));
    startProcess(registry, 'a');
    registry.untrack('a');
    expect(updates.map((u) => u.type)).toEqual(['tracked', 'untracked']);
    expect(registry.list()).toEqual([]);
  });
});

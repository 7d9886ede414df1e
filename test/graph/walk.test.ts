import { createMachine } from 'xstate';
import { describe, expect, it } from 'vitest';
import { machineToGraph } from '../../src/graph/walk.js';
import { demoMachine } from './fixtures.js';

describe('machineToGraph', () => {
  const graph = machineToGraph(demoMachine);

  it('lists every state node with XState ids, parents, types and initial flags', () => {
    expect(graph.nodes.map((n) => [n.id, n.parent, n.type, n.initial])).toEqual([
      ['demo', null, 'compound', false],
      ['demo.idle', 'demo', 'atomic', true],
      ['demo.busy', 'demo', 'parallel', false],
      ['demo.busy.left', 'demo.busy', 'compound', false],
      ['demo.busy.left.a', 'demo.busy.left', 'atomic', true],
      ['demo.busy.left.b', 'demo.busy.left', 'final', false],
      ['demo.busy.left.hist', 'demo.busy.left', 'history', false],
      ['demo.busy.right', 'demo.busy', 'compound', false],
      ['demo.busy.right.x', 'demo.busy.right', 'atomic', true],
      ['demo.busy.right.y', 'demo.busy.right', 'atomic', false],
      ['work', 'demo', 'atomic', false],
      ['demo.done', 'demo', 'final', false],
    ]);
  });

  it('keeps entry, exit, invoke, tags and history, without the hidden after timers', () => {
    const byId = new Map(graph.nodes.map((n) => [n.id, n]));
    expect(byId.get('demo.idle')).toMatchObject({ entry: ['enterIdle'], exit: ['leaveIdle'] });
    expect(byId.get('demo.busy.left.a')).toMatchObject({ entry: [], exit: [] });
    expect(byId.get('work')).toMatchObject({ key: 'working', path: ['working'], invoke: ['job'] });
    expect(byId.get('demo.busy.right.x')?.tags).toEqual(['spin']);
    expect(byId.get('demo.busy.left.hist')?.history).toBe('deep');
  });

  it('lists exactly the expected transitions, always and after included', () => {
    const edges = graph.edges.map((e) => [e.source, e.target, e.kind, e.label, e.guard]);
    expect(edges).toEqual([
      ['demo', 'demo', 'event', 'PING', null],
      ['demo.idle', 'demo.busy', 'event', 'GO', 'ready && !blocked'],
      ['demo.idle', 'demo.done', 'always', 'always', 'blocked'],
      ['demo.busy', 'demo.busy.left.hist', 'event', 'RESET', null],
      ['demo.busy', 'work', 'done', 'done', null],
      ['demo.busy.left.a', 'demo.busy.left.b', 'after', 'after backoff', null],
      ['demo.busy.right.x', 'demo.busy.right.x', 'event', 'GO', null],
      ['work', 'demo.done', 'done', 'done job', null],
      ['work', 'demo.idle', 'error', 'error job', null],
      ['work', 'demo.idle', 'after', 'after 500ms', null],
    ]);
  });

  it('marks internal and reentering transitions, actions and delays', () => {
    const ping = graph.edges.find((e) => e.event === 'PING');
    expect(ping).toMatchObject({ internal: true, reenter: false, actions: ['log'] });
    const selfGo = graph.edges.find((e) => e.source === 'demo.busy.right.x');
    expect(selfGo).toMatchObject({ internal: false, reenter: true });
    const delays = graph.edges.filter((e) => e.kind === 'after').map((e) => [e.event, e.delay]);
    expect(delays).toEqual([
      ['xstate.after.backoff.demo.busy.left.a', 'backoff'],
      ['xstate.after.500.work', 500],
    ]);
    expect(graph.edges.find((e) => e.kind === 'always')?.event).toBe('');
  });

  it('finds what machine.toJSON() leaves out', () => {
    const json = JSON.stringify(demoMachine.toJSON());
    expect(json).not.toContain('blocked');
    expect(graph.edges.some((e) => e.kind === 'always')).toBe(true);
  });

  it('gives every edge a unique, stable id and is plain JSON', () => {
    const ids = graph.edges.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('demo.idle:GO:0');
    expect(JSON.parse(JSON.stringify(graph))).toEqual(graph);
    expect(machineToGraph(demoMachine)).toEqual(graph);
  });

  it('emits one edge per target of a multi-target transition', () => {
    const machine = createMachine({
      id: 'm',
      type: 'parallel',
      states: {
        a: {
          initial: 'a1',
          states: { a1: { on: { GO: { target: ['#m.a.a2', '#m.b.b2'] } } }, a2: {} },
        },
        b: { initial: 'b1', states: { b1: {}, b2: {} } },
      },
    });
    const go = machineToGraph(machine).edges.filter((e) => e.event === 'GO');
    expect(go.map((e) => [e.id, e.target])).toEqual([
      ['m.a.a1:GO:0', 'm.a.a2'],
      ['m.a.a1:GO:1', 'm.b.b2'],
    ]);
  });
});

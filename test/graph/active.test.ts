import { createActor } from 'xstate';
import { describe, expect, it } from 'vitest';
import { activeNodeIds } from '../../src/graph/active.js';
import { machineToGraph } from '../../src/graph/walk.js';
import { isGuvError } from '../../src/errors.js';
import { demoMachine } from './fixtures.js';

describe('activeNodeIds', () => {
  it('returns the root and the active leaf for a flat value', () => {
    expect(activeNodeIds(demoMachine, 'idle')).toEqual(['demo', 'demo.idle']);
  });

  it('uses custom state ids as the graph does', () => {
    expect(activeNodeIds(demoMachine, 'working')).toEqual(['demo', 'work']);
  });

  it('walks nested and parallel values', () => {
    expect(activeNodeIds(demoMachine, { busy: { left: 'a', right: 'x' } })).toEqual([
      'demo',
      'demo.busy',
      'demo.busy.left',
      'demo.busy.left.a',
      'demo.busy.right',
      'demo.busy.right.x',
    ]);
  });

  it('matches a live snapshot, and every id is a graph node', () => {
    const actor = createActor(demoMachine).start();
    actor.send({ type: 'GO' });
    const ids = activeNodeIds(demoMachine, actor.getSnapshot().value);
    actor.stop();
    const nodeIds = new Set(machineToGraph(demoMachine).nodes.map((n) => n.id));
    expect(ids).toContain('demo.busy.right.x');
    expect(ids.every((id) => nodeIds.has(id))).toBe(true);
  });

  it('rejects a value that is not from this machine', () => {
    let caught: unknown;
    try {
      activeNodeIds(demoMachine, { busy: { left: 'nowhere' } });
    } catch (error) {
      caught = error;
    }
    expect(isGuvError(caught) && caught.code).toBe('GUV_UNKNOWN_STATE');
    expect(() => activeNodeIds(demoMachine, 'constructor')).toThrow(/"constructor"/);
  });
});

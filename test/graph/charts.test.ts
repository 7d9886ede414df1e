import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { describe, expect, it } from 'vitest';
import { CHART_NAMES, type ChartName, loadChart } from '../../src/graph/charts.js';
import { GRAPH_FORMATS, renderGraph } from '../../src/graph/formats.js';
import { machineToGraph } from '../../src/graph/walk.js';
import { isGuvError } from '../../src/errors.js';

function stateIds(node: AnyStateNode): string[] {
  return [node.id, ...Object.values(node.states).flatMap((child) => stateIds(child))];
}

// Charts are built by separate pieces of work; the ones not exported yet must fail cleanly.
async function availableCharts(): Promise<Array<[ChartName, AnyStateMachine]>> {
  const found: Array<[ChartName, AnyStateMachine]> = [];
  for (const name of CHART_NAMES) {
    try {
      found.push([name, await loadChart(name)]);
    } catch (error) {
      expect(isGuvError(error) && error.code).toBe('GUV_CHART_UNAVAILABLE');
    }
  }
  return found;
}

describe('chart registry', () => {
  it('loads the process and worker charts at least', async () => {
    const names = (await availableCharts()).map(([name]) => name);
    expect(names).toEqual(expect.arrayContaining(['process', 'worker']));
  });

  it('renders every available chart in every format, showing every state node', async () => {
    for (const [name, machine] of await availableCharts()) {
      const graph = machineToGraph(machine);
      expect(graph.nodes.map((n) => n.id).sort(), name).toEqual(stateIds(machine.root).sort());
      for (const format of GRAPH_FORMATS) {
        const out = await renderGraph(graph, format);
        for (const node of graph.nodes) {
          const shown =
            format === 'json' || format === 'dot'
              ? JSON.stringify(node.id)
              : format === 'svg'
                ? `id="state:${node.id}"`
                : node.key;
          expect(out, `${name} ${format} ${node.id}`).toContain(shown);
        }
      }
    }
  });
});

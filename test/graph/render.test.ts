import { describe, expect, it } from 'vitest';
import { renderDot } from '../../src/graph/render-dot.js';
import { renderJson } from '../../src/graph/render-json.js';
import { renderMermaid } from '../../src/graph/render-mermaid.js';
import { renderSvg } from '../../src/graph/render-svg.js';
import { renderText } from '../../src/graph/render-text.js';
import { machineToGraph } from '../../src/graph/walk.js';
import { demoMachine } from './fixtures.js';

const graph = machineToGraph(demoMachine);
const lines = (text: string) => text.split('\n').map((line) => line.trim());

describe('renderText', () => {
  it('prints an indented tree of states with their transitions', () => {
    expect(renderText(graph)).toBe(
      [
        'demo',
        '    PING / log (internal)',
        '  ● idle (initial)',
        '      entry / enterIdle',
        '      exit / leaveIdle',
        '      GO [ready && !blocked] → busy',
        '      always [blocked] → done',
        '  ○ busy (parallel)',
        '      RESET → busy.left.hist',
        '      done → working',
        '    ○ left',
        '      ● a (initial)',
        '          after backoff → busy.left.b',
        '      ◎ b (final)',
        '      ◌ hist (deep history)',
        '    ○ right',
        '      ● x (initial; tags: spin)',
        '          GO → busy.right.x (reenter)',
        '      ○ y',
        '  ○ working',
        '      invoke job',
        '      done job → done',
        '      error job → idle / log',
        '      after 500ms → idle',
        '  ◎ done (final)',
        '',
      ].join('\n'),
    );
  });
});

describe('renderJson', () => {
  it('round-trips to the graph', () => {
    expect(JSON.parse(renderJson(graph))).toEqual(graph);
  });
});

describe('renderMermaid', () => {
  const out = renderMermaid(graph);

  it('writes a stateDiagram-v2 with nested composites and parallel regions', () => {
    expect(out).toMatch(/^---\ntitle: [^\n]+\n---\nstateDiagram-v2\n/);
    const all = lines(out);
    for (const line of [
      'state demo {',
      'state busy {',
      'state busy_left {',
      '--',
      'state busy_right {',
      'state "a" as busy_left_a',
      'state "H*" as busy_left_hist',
      '[*] --> idle',
      '[*] --> busy_left_a',
      'busy_left_b --> [*]',
      'done --> [*]',
    ]) {
      expect(all).toContain(line);
    }
  });

  it('labels transitions with event and guard, always and after included', () => {
    const all = lines(out);
    for (const line of [
      'idle --> busy : GO [ready && !blocked]',
      'idle --> done : always [blocked]',
      'busy_left_a --> busy_left_b : after backoff',
      'working --> idle : after 500ms',
      'working --> idle : error job',
      'busy --> working : done',
      'demo --> demo : PING (internal)',
    ]) {
      expect(all).toContain(line);
    }
  });

  it('writes a transition inside the innermost composite holding both ends', () => {
    const all = lines(out);
    const left = all.indexOf('state busy_left {');
    const after = all.indexOf('busy_left_a --> busy_left_b : after backoff');
    const leftEnd = all.indexOf('}', left);
    expect(after).toBeGreaterThan(left);
    expect(after).toBeLessThan(leftEnd);
  });
});

describe('renderDot', () => {
  const out = renderDot(graph);

  it('draws compound states as clusters and keeps XState ids', () => {
    const all = lines(out);
    expect(all[0]).toBe('digraph "demo" {');
    for (const line of [
      'subgraph "cluster_demo.busy" {',
      'subgraph "cluster_demo.busy.left" {',
      'graph [id="state:demo.busy", label="busy ‖", style="rounded"];',
      '"demo.idle" [id="state:demo.idle", label="idle"];',
      '"demo.done" [id="state:demo.done", label="done", peripheries="2"];',
      '"work" [id="state:work", label="working"];',
    ]) {
      expect(all).toContain(line);
    }
  });

  it('draws every transition, with ltail/lhead only where Graphviz accepts them', () => {
    const all = lines(out);
    for (const line of [
      '"demo.idle" -> "demo.busy" [id="edge:demo.idle:GO:0", label="GO [ready && !blocked]", lhead="cluster_demo.busy"];',
      '"demo.idle" -> "demo.done" [id="edge:demo.idle::0", label="always [blocked]", style="dashed"];',
      '"demo.busy" -> "demo.busy.left.hist" [id="edge:demo.busy:RESET:0", label="RESET"];',
      '"work" -> "demo.idle" [id="edge:work:xstate.after.500.work:0", label="after 500ms", style="dotted"];',
    ]) {
      expect(all).toContain(line);
    }
    expect(all.filter((line) => line.includes('id="edge:'))).toHaveLength(graph.edges.length);
  });

  it('is stable', () => {
    expect(renderDot(machineToGraph(demoMachine))).toBe(out);
  });

  it('escapes quotes and backslashes', () => {
    const odd = {
      ...graph,
      nodes: graph.nodes.map((n) => (n.id === 'demo.idle' ? { ...n, key: 'say "hi" \\o/' } : n)),
    };
    expect(renderDot(odd)).toContain('label="say \\"hi\\" \\\\o/"');
  });
});

describe('renderSvg', () => {
  it('renders through Graphviz with an element per state and per transition', async () => {
    const svg = await renderSvg(graph);
    expect(svg.startsWith('<svg')).toBe(true);
    for (const node of graph.nodes) {
      expect(svg).toContain(`id="state:${node.id}"`);
    }
    for (const edge of graph.edges) {
      expect(svg).toContain(`id="edge:${edge.id}"`);
    }
  });
});

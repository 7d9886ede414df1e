import { type GraphIndex, indexGraph, isWithin, labelWithGuard } from './tree.js';
import type { ChartEdge, ChartGraph, ChartNode } from './types.js';

/**
 * Graphviz DOT. Compound and parallel states (the root included) are clusters holding an
 * invisible anchor node named after the state, so transitions can start or end on the cluster
 * (`compound=true` with `ltail`/`lhead`). SVG element ids are set for live highlighting:
 * `state:<node id>` on every state (node or cluster) and `edge:<edge id>` on every transition.
 * Output depends only on the graph, so it is stable across runs.
 */
export function renderDot(graph: ChartGraph): string {
  const index = indexGraph(graph);
  const lines = [
    `digraph ${quote(graph.id)} {`,
    '  graph [compound=true, fontname="Helvetica", fontsize=12, nodesep=0.4, ranksep=0.5];',
    '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  writeNode(index, index.root, '  ', lines);
  for (const edge of graph.edges) lines.push(`  ${edgeLine(index, edge)}`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

function isCluster(index: GraphIndex, node: ChartNode): boolean {
  return (index.children.get(node.id)?.length ?? 0) > 0;
}

function writeNode(index: GraphIndex, node: ChartNode, pad: string, lines: string[]): void {
  if (!isCluster(index, node)) {
    lines.push(`${pad}${quote(node.id)} [${attrs(leafAttrs(node))}];`);
    return;
  }
  const inner = `${pad}  `;
  const label = node.type === 'parallel' ? `${node.key} ‖` : node.key;
  lines.push(`${pad}subgraph ${quote(`cluster_${node.id}`)} {`);
  lines.push(`${inner}graph [${attrs({ id: `state:${node.id}`, label, style: 'rounded' })}];`);
  lines.push(
    `${inner}${quote(node.id)} [${attrs({ id: `anchor:${node.id}`, label: '', shape: 'point', style: 'invis', width: '0', height: '0' })}];`,
  );
  const kids = index.children.get(node.id) ?? [];
  const initial = kids.find((child) => child.initial);
  if (initial) {
    const dot = { id: `initial:${node.id}`, label: '', shape: 'point', width: '0.12' };
    lines.push(`${inner}${quote(dot.id)} [${attrs(dot)}];`);
  }
  for (const child of kids) writeNode(index, child, inner, lines);
  if (initial) {
    const edge: Record<string, string> = { id: `initial-edge:${node.id}` };
    if (isCluster(index, initial)) edge.lhead = `cluster_${initial.id}`;
    lines.push(`${inner}${quote(`initial:${node.id}`)} -> ${quote(initial.id)} [${attrs(edge)}];`);
  }
  lines.push(`${pad}}`);
}

function leafAttrs(node: ChartNode): Record<string, string> {
  const base = { id: `state:${node.id}`, label: node.key };
  if (node.type === 'final') return { ...base, peripheries: '2' };
  if (node.type === 'history') {
    return { ...base, label: node.history === 'deep' ? 'H*' : 'H', shape: 'circle', style: '' };
  }
  return base;
}

function edgeLine(index: GraphIndex, edge: ChartEdge): string {
  const source = index.byId.get(edge.source)!;
  const target = index.byId.get(edge.target)!;
  const a: Record<string, string> = {
    id: `edge:${edge.id}`,
    label: edge.internal ? `${labelWithGuard(edge)} (internal)` : labelWithGuard(edge),
  };
  // Graphviz refuses ltail/lhead when one end lies inside the other's cluster.
  if (isCluster(index, source) && !isWithin(index, target.id, source.id)) {
    a.ltail = `cluster_${source.id}`;
  }
  if (isCluster(index, target) && !isWithin(index, source.id, target.id)) {
    a.lhead = `cluster_${target.id}`;
  }
  if (edge.kind === 'always') a.style = 'dashed';
  if (edge.kind === 'after') a.style = 'dotted';
  if (edge.kind === 'error') a.color = 'firebrick';
  return `${quote(source.id)} -> ${quote(target.id)} [${attrs(a)}];`;
}

function attrs(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([key, value]) => `${key}=${quote(value)}`)
    .join(', ');
}

function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

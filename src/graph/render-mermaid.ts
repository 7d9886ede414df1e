import { commonAncestor, indexGraph, labelWithGuard } from './tree.js';
import type { ChartEdge, ChartGraph, ChartNode } from './types.js';

// Words mermaid's state grammar reads as keywords when used as a bare state id.
// Key of the edges written at the top level, outside every composite.
const TOP = '';

const RESERVED = new Set(['state', 'note', 'end', 'as', 'direction', 'class', 'classDef', 'style']);

/**
 * A mermaid `stateDiagram-v2`: composite states nest, parallel regions are split by `--`,
 * `[*]` marks initial and final states. Each transition is written inside the innermost
 * composite holding both its ends. The root becomes a composite only when a transition starts
 * or ends on it.
 */
export function renderMermaid(graph: ChartGraph): string {
  const index = indexGraph(graph);
  const names = mermaidNames(graph);
  const edgesIn = new Map<string, ChartEdge[]>();
  for (const edge of graph.edges) {
    const home = commonAncestor(index, edge.source, edge.target);
    // A transition touching a composite itself is written beside that composite, not inside.
    const touches = home.id === edge.source || home.id === edge.target;
    const key = (touches ? home.parent : home.id) ?? TOP;
    edgesIn.set(key, [...(edgesIn.get(key) ?? []), edge]);
  }
  // The front matter's title names the chart even when its root is not drawn as a composite.
  const lines = ['---', `title: ${mermaidText(graph.id)}`, '---', 'stateDiagram-v2'];
  const name = (id: string): string => names.get(id)!;

  const body = (node: ChartNode, pad: string): void => {
    const kids = index.children.get(node.id) ?? [];
    kids.forEach((child, i) => {
      if (node.type === 'parallel' && i > 0) lines.push(`${pad}--`);
      declare(child, pad);
    });
    const initial = kids.find((child) => child.initial);
    if (initial) lines.push(`${pad}[*] --> ${name(initial.id)}`);
    for (const child of kids) {
      if (child.type === 'final') lines.push(`${pad}${name(child.id)} --> [*]`);
    }
    writeEdges(node.id, pad);
  };

  const writeEdges = (key: string, pad: string): void => {
    for (const edge of edgesIn.get(key) ?? []) {
      const text = edge.internal ? `${labelWithGuard(edge)} (internal)` : labelWithGuard(edge);
      lines.push(`${pad}${name(edge.source)} --> ${name(edge.target)} : ${mermaidText(text)}`);
    }
  };

  const declare = (node: ChartNode, pad: string): void => {
    const kids = index.children.get(node.id) ?? [];
    if (kids.length === 0) {
      lines.push(`${pad}state "${mermaidText(stateLabel(node))}" as ${name(node.id)}`);
      return;
    }
    lines.push(`${pad}state ${name(node.id)} {`);
    body(node, `${pad}  `);
    lines.push(`${pad}}`);
  };

  const rootId = index.root.id;
  if (graph.edges.some((edge) => edge.source === rootId || edge.target === rootId)) {
    lines.push(`  [*] --> ${name(index.root.id)}`);
    declare(index.root, '  ');
  } else {
    body(index.root, '  ');
  }
  writeEdges(TOP, '  ');
  return `${lines.join('\n')}\n`;
}

function stateLabel(node: ChartNode): string {
  if (node.type === 'history') return node.history === 'deep' ? 'H*' : 'H';
  return node.key;
}

/** Mermaid ids: the path joined by `_`, made unique and kept clear of keywords. */
function mermaidNames(graph: ChartGraph): Map<string, string> {
  const names = new Map<string, string>();
  const taken = new Set<string>();
  for (const node of graph.nodes) {
    let base = (node.path.length ? node.path.join('_') : node.id).replace(/[^A-Za-z0-9_]/g, '_');
    if (RESERVED.has(base) || /^[0-9]/.test(base)) base = `s_${base}`;
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
    taken.add(name);
    names.set(node.id, name);
  }
  return names;
}

// `;` ends a mermaid statement and `#` starts an entity code; neither may appear in a label.
function mermaidText(text: string): string {
  return text.replace(/;/g, ',').replace(/#/g, '').replace(/"/g, "'");
}

import { displayPath, indexGraph } from './tree.js';
import type { ChartEdge, ChartGraph, ChartNode } from './types.js';

const BULLET: Record<ChartNode['type'], string> = {
  atomic: '○',
  compound: '○',
  parallel: '○',
  final: '◎',
  history: '◌',
};

/**
 * An indented tree for a terminal: each state with its entry/exit/invoke and its outgoing
 * transitions, then its children. `●` marks an initial state, `◎` a final one.
 *
 * @example
 * process.stdout.write(renderText(machineToGraph(processMachine)));
 */
export function renderText(graph: ChartGraph): string {
  const index = indexGraph(graph);
  const lines: string[] = [];
  const visit = (node: ChartNode, depth: number): void => {
    const pad = '  '.repeat(depth);
    lines.push(depth === 0 ? node.id : `${pad}${bullet(node)} ${node.key}${marks(node)}`);
    const detail = `${pad}    `;
    if (node.entry.length) lines.push(`${detail}entry / ${node.entry.join(', ')}`);
    if (node.exit.length) lines.push(`${detail}exit / ${node.exit.join(', ')}`);
    for (const src of node.invoke) lines.push(`${detail}invoke ${src}`);
    for (const edge of index.outgoing.get(node.id) ?? []) {
      lines.push(`${detail}${edgeLine(edge, index.byId)}`);
    }
    for (const child of index.children.get(node.id) ?? []) visit(child, depth + 1);
  };
  visit(index.root, 0);
  return `${lines.join('\n')}\n`;
}

function bullet(node: ChartNode): string {
  return node.initial ? '●' : BULLET[node.type];
}

function marks(node: ChartNode): string {
  const marks: string[] = [];
  if (node.initial) marks.push('initial');
  if (node.type === 'parallel' || node.type === 'final') marks.push(node.type);
  if (node.history !== null) marks.push(`${node.history} history`);
  if (node.tags.length) marks.push(`tags: ${node.tags.join(', ')}`);
  return marks.length ? ` (${marks.join('; ')})` : '';
}

function edgeLine(edge: ChartEdge, byId: Map<string, ChartNode>): string {
  const target = byId.get(edge.target);
  let line = edge.label;
  if (edge.guard !== null) line += ` [${edge.guard}]`;
  if (!edge.internal && target) line += ` → ${displayPath(target)}`;
  if (edge.actions.length) line += ` / ${edge.actions.join(', ')}`;
  if (edge.internal) line += ' (internal)';
  if (edge.reenter) line += ' (reenter)';
  return line;
}

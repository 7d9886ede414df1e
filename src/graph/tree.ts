import type { ChartEdge, ChartGraph, ChartNode } from './types.js';

/** Indexes over a {@link ChartGraph} that every renderer needs: children and outgoing edges. */
export interface GraphIndex {
  byId: Map<string, ChartNode>;
  children: Map<string, ChartNode[]>;
  outgoing: Map<string, ChartEdge[]>;
  root: ChartNode;
}

export function indexGraph(graph: ChartGraph): GraphIndex {
  const byId = new Map<string, ChartNode>();
  const children = new Map<string, ChartNode[]>();
  const outgoing = new Map<string, ChartEdge[]>();
  for (const node of graph.nodes) {
    byId.set(node.id, node);
    children.set(node.id, []);
    outgoing.set(node.id, []);
  }
  for (const node of graph.nodes) {
    if (node.parent !== null) children.get(node.parent)?.push(node);
  }
  for (const edge of graph.edges) outgoing.get(edge.source)?.push(edge);
  const root = graph.nodes.find((node) => node.parent === null);
  if (!root) throw new TypeError(`chart graph "${graph.id}" has no root node`);
  return { byId, children, outgoing, root };
}

/** `[guard]` appended to an edge label when the edge has one. */
export function labelWithGuard(edge: ChartEdge): string {
  return edge.guard === null ? edge.label : `${edge.label} [${edge.guard}]`;
}

/** A node's name for people: its path below the root (`running.ready`), or the root's id. */
export function displayPath(node: ChartNode): string {
  return node.path.length === 0 ? node.id : node.path.join('.');
}

/** The deepest node containing both `a` and `b` (a node contains itself). */
export function commonAncestor(index: GraphIndex, a: string, b: string): ChartNode {
  const ancestors = new Set<string>();
  for (let id: string | null = a; id !== null; id = index.byId.get(id)?.parent ?? null) {
    ancestors.add(id);
  }
  for (let id: string | null = b; id !== null; id = index.byId.get(id)?.parent ?? null) {
    if (ancestors.has(id)) return index.byId.get(id)!;
  }
  return index.root;
}

/** True when `inner` is `outer` or one of its descendants. */
export function isWithin(index: GraphIndex, inner: string, outer: string): boolean {
  for (let id: string | null = inner; id !== null; id = index.byId.get(id)?.parent ?? null) {
    if (id === outer) return true;
  }
  return false;
}

import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';
import { actionName, guardName, invokeName } from './names.js';
import type { ChartEdge, ChartEdgeKind, ChartGraph, ChartNode } from './types.js';

const AFTER = 'xstate.after.';
const DONE_ACTOR = 'xstate.done.actor.';
const DONE_STATE = 'xstate.done.state.';
const ERROR_ACTOR = 'xstate.error.actor.';
const SNAPSHOT = 'xstate.snapshot.';

/**
 * Walks a machine's state nodes into a {@link ChartGraph}, including the `always` and `after`
 * transitions that `machine.toJSON()` leaves out.
 *
 * @example
 * const graph = machineToGraph(processMachine);
 * graph.edges.filter((e) => e.kind === 'after'); // the backoff timers
 */
export function machineToGraph(machine: AnyStateMachine): ChartGraph {
  const nodes: ChartNode[] = [];
  const edges: ChartEdge[] = [];
  const visit = (node: AnyStateNode): void => {
    nodes.push(toChartNode(node));
    edges.push(...nodeEdges(node));
    for (const child of Object.values(node.states) as AnyStateNode[]) visit(child);
  };
  visit(machine.root);
  return { version: 1, id: machine.root.id, nodes, edges };
}

function toChartNode(node: AnyStateNode): ChartNode {
  const parent = node.parent;
  return {
    id: node.id,
    key: node.key,
    path: [...node.path],
    parent: parent ? parent.id : null,
    type: node.type,
    initial: parent?.type === 'compound' && parent.initial.target[0] === node,
    // config, not node.entry: XState appends hidden raise/cancel actions for `after` timers.
    entry: toArray(node.config.entry).map(actionName),
    exit: toArray(node.config.exit).map(actionName),
    invoke: node.invoke.map(invokeName),
    tags: [...node.tags],
    description: node.description ?? null,
    history: node.history === false ? null : node.history,
  };
}

function nodeEdges(node: AnyStateNode): ChartEdge[] {
  const edges: ChartEdge[] = [];
  const seen = new Map<string, number>();
  const add = (transition: AnyTransitionDefinition, event: string): void => {
    const targets = transition.target?.length ? transition.target : undefined;
    for (const target of targets ?? [undefined]) {
      const n = seen.get(event) ?? 0;
      seen.set(event, n + 1);
      edges.push(toChartEdge(node, transition, event, target, n));
    }
  };
  for (const [event, transitions] of node.transitions) {
    for (const transition of transitions) add(transition, event);
  }
  for (const transition of node.always ?? []) add(transition, '');
  return edges;
}

function toChartEdge(
  node: AnyStateNode,
  transition: AnyTransitionDefinition,
  event: string,
  target: AnyStateNode | undefined,
  n: number,
): ChartEdge {
  const kind = edgeKind(event);
  const delay = kind === 'after' ? delayOf(transition, event, node.id) : null;
  return {
    id: `${node.id}:${event}:${n}`,
    source: node.id,
    target: target ? target.id : node.id,
    event,
    label: edgeLabel(node, kind, event, delay),
    kind,
    guard: transition.guard === undefined ? null : guardName(transition.guard),
    actions: toArray(transition.actions).map(actionName),
    internal: target === undefined,
    reenter: target !== undefined && transition.reenter,
    delay,
  };
}

function edgeKind(event: string): ChartEdgeKind {
  if (event === '') return 'always';
  if (event.startsWith(AFTER)) return 'after';
  if (event.startsWith(DONE_ACTOR) || event.startsWith(DONE_STATE)) return 'done';
  if (event.startsWith(ERROR_ACTOR)) return 'error';
  if (event.startsWith(SNAPSHOT)) return 'snapshot';
  return 'event';
}

function delayOf(
  transition: AnyTransitionDefinition,
  event: string,
  nodeId: string,
): string | number {
  const delay = (transition as { delay?: unknown }).delay;
  if (typeof delay === 'string' || typeof delay === 'number') return delay;
  // `xstate.after.<delay>.<node id>`: node ids may hold dots, so cut the id off the end.
  const raw = event.slice(AFTER.length, event.length - nodeId.length - 1);
  return Number.isNaN(Number(raw)) ? raw : Number(raw);
}

function edgeLabel(
  node: AnyStateNode,
  kind: ChartEdgeKind,
  event: string,
  delay: string | number | null,
): string {
  switch (kind) {
    case 'always':
      return 'always';
    case 'after':
      return typeof delay === 'number' ? `after ${delay}ms` : `after ${delay}`;
    case 'done':
      return event.startsWith(DONE_STATE) ? 'done' : `done ${invokeLabel(node, event, DONE_ACTOR)}`;
    case 'error':
      return `error ${invokeLabel(node, event, ERROR_ACTOR)}`;
    case 'snapshot':
      return `snapshot ${invokeLabel(node, event, SNAPSHOT)}`;
    default:
      return event;
  }
}

function invokeLabel(node: AnyStateNode, event: string, prefix: string): string {
  const id = event.slice(prefix.length);
  const invoke = node.invoke.find((candidate) => candidate.id === id);
  return invoke ? invokeName(invoke) : id;
}

function toArray<T>(value: T | readonly T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? [...value] : [value as T];
}

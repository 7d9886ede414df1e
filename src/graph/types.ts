/**
 * The one graph format every statechart picture is drawn from: plain JSON, stable across runs
 * (document order of the machine config), walked from the machine itself so that `always` and
 * `after` transitions are included (`machine.toJSON()` drops them).
 */
export interface ChartGraph {
  /** Format version; bumped only on a breaking change of this shape. */
  version: 1;
  /** The machine id, also the id of the root node. */
  id: string;
  /** Every state node, root first, then depth-first in document order. */
  nodes: ChartNode[];
  /** Every transition, grouped by source node in `nodes` order, then in config order. */
  edges: ChartEdge[];
}

export type ChartNodeType = 'atomic' | 'compound' | 'parallel' | 'final' | 'history';

export interface ChartNode {
  /** XState's state node id (`machineId.a.b` unless the config sets `id`): what snapshots use. */
  id: string;
  /** The key in its parent's `states` (the machine id for the root). */
  key: string;
  /** Keys from the root down to this node; `[]` for the root. */
  path: string[];
  /** Parent node id; `null` for the root. */
  parent: string | null;
  type: ChartNodeType;
  /** True when this node is its parent's initial state. */
  initial: boolean;
  /** Entry action names, in order (XState's hidden `after` timers are left out). */
  entry: string[];
  /** Exit action names, in order. */
  exit: string[];
  /** Names of the actors invoked while in this state (the `src` name, else the invoke id). */
  invoke: string[];
  tags: string[];
  description: string | null;
  /** `'shallow'` or `'deep'` for history nodes, else `null`. */
  history: 'shallow' | 'deep' | null;
}

/**
 * - `event`: an `on` transition (including wildcards such as `process.*`)
 * - `always`: eventless, taken as soon as its guard passes
 * - `after`: delayed; `delay` holds the delay name or milliseconds
 * - `done`: `onDone` of an invoked actor or of a compound/parallel state
 * - `error`: `onError` of an invoked actor
 * - `snapshot`: `onSnapshot` of an invoked actor
 */
export type ChartEdgeKind = 'event' | 'always' | 'after' | 'done' | 'error' | 'snapshot';

export interface ChartEdge {
  /** `<source>:<event>:<n>`, n counting edges with the same source and event. */
  id: string;
  source: string;
  /** Target node id; equals `source` for internal (targetless) transitions. */
  target: string;
  /** XState's event descriptor (`''` for always, `xstate.after.<delay>.<id>` for after…). */
  event: string;
  /** What a human reads: `START`, `always`, `after restartDelay`, `done spawn`, `error spawn`. */
  label: string;
  kind: ChartEdgeKind;
  /** Guard name (`a && !b` for combined guards), or `null`. */
  guard: string | null;
  actions: string[];
  /** Targetless transition: runs actions, exits and enters nothing. */
  internal: boolean;
  /** Self or ancestor target that exits and re-enters (`reenter: true`). */
  reenter: boolean;
  /** For `after` edges, the delay name or milliseconds; else `null`. */
  delay: string | number | null;
}

import type {
  AnyActorRef,
  AnyMachineSnapshot,
  AnyStateMachine,
  InspectionEvent,
  Subscription,
} from 'xstate';
import { causeEventName, type TransitionCause } from '../machines/history.js';
import { activeLeafIds, edgeIdOf, leafNames } from './state-path.js';

export type ActorKind = 'daemon' | 'process' | 'cluster' | 'worker' | 'app';
/** The chart an actor runs: the name `guv graph` and `GET /api/graph/:chart` know it by. */
export type ChartKind = ActorKind;

export interface TrackEntry {
  /** Unique among tracked actors: the process id, `<cluster id>.<slot>` for a worker, `daemon`. */
  id: string;
  kind: ActorKind;
  name: string;
  /** The cluster of a worker. */
  parentId?: string;
  chart: ChartKind;
  actor: AnyActorRef;
  /**
   * Chart actors this actor spawns (a cluster's workers) are tracked as this kind, with this
   * actor as parent, under their own actor ids, as they come and go.
   */
  children?: { kind: ActorKind; chart: ChartKind };
}

/** One `{ time, from, to, cause }` transition as the charts keep it in `context.history`. */
export interface HistoryRow {
  time: number;
  from: string;
  to: string;
  cause: TransitionCause;
}

export interface ActorView {
  id: string;
  kind: ActorKind;
  name: string;
  parentId: string | null;
  chart: ChartKind;
  /** Active leaf state node ids (the graph's node ids). */
  state: string[];
  /** The leaves' names: `running`. */
  status: string;
}

export interface ActorDetail extends ActorView {
  /** Oldest first, bounded by the chart (HISTORY_LIMIT). */
  history: HistoryRow[];
}

/** A transition of a tracked actor, transient states included. */
export interface TransitionUpdate {
  type: 'transition';
  id: string;
  /** Active leaf node ids after the transition. */
  state: string[];
  /** The leaves' names before and after: `running` → `stopping`. */
  from: string;
  to: string;
  /** The XState event type that caused it. */
  event: string;
  /** Graph edge ids of the transitions taken, when known (from inspection). */
  edges: string[];
  time: number;
  cause: TransitionCause;
}

export type RegistryUpdate =
  | TransitionUpdate
  | { type: 'tracked'; actor: ActorView }
  | { type: 'untracked'; id: string };

export interface ChartRegistry {
  track(entry: TrackEntry): void;
  untrack(id: string): void;
  list(): ActorView[];
  get(id: string): ActorDetail | undefined;
  /** The machine behind a chart, from any tracked actor running it. */
  machineOf(chart: ChartKind): AnyStateMachine | undefined;
  /** Updates flow (and cost anything) only while at least one listener is subscribed. */
  subscribe(listener: (update: RegistryUpdate) => void): () => void;
  /**
   * Pass to `createActor(machine, { inspect: registry.inspect })` so transient states (seen only
   * in microsteps) reach viewers; returns at once while nobody is subscribed.
   */
  inspect: (event: InspectionEvent) => void;
}

interface Tracked {
  entry: TrackEntry;
  /** Ids of the spawned children tracked on this actor's behalf. */
  spawned: Set<string>;
  /** Leaf ids last reported; kept only while someone subscribes. */
  lastKey: string;
  lastNames: string;
  lastHistoryEntry: unknown;
  subscription: Subscription | undefined;
}

/**
 * Knows every live chart actor the daemon runs, for the visualiser: what it is, its current
 * state and its history, and a feed of its transitions while somebody watches.
 *
 * @example
 * const registry = createChartRegistry();
 * const actor = createActor(processMachine, { input, inspect: registry.inspect }).start();
 * registry.track({ id: 'web', kind: 'process', name: 'web', chart: 'process', actor });
 * const stop = registry.subscribe((update) => console.log(update));
 */
export function createChartRegistry(options: { now?: () => number } = {}): ChartRegistry {
  const now = options.now ?? Date.now;
  const byId = new Map<string, Tracked>();
  const byRef = new Map<AnyActorRef, Tracked>();
  const listeners = new Set<(update: RegistryUpdate) => void>();

  function emit(update: RegistryUpdate): void {
    for (const listener of [...listeners]) {
      try {
        listener(update);
      } catch {
        // One broken viewer must not stop the others or the actor that triggered it.
      }
    }
  }

  function observe(tracked: Tracked): void {
    const snapshot = snapshotOf(tracked.entry.actor);
    const leaves = snapshot ? activeLeafIds(snapshot.machine, snapshot.value) : [];
    tracked.lastKey = leaves.join('\n');
    tracked.lastNames = snapshot ? leafNames(snapshot.machine, leaves) : '';
    tracked.lastHistoryEntry = historyOf(snapshot).at(-1);
    // Actors created without `inspect` still report their settled states.
    tracked.subscription = tracked.entry.actor.subscribe({
      next: (next: unknown) => {
        if (tracked.entry.children) syncChildren(tracked);
        changed(tracked, next as AnyMachineSnapshot, undefined, []);
      },
      error: () => {},
    });
  }

  function unobserve(tracked: Tracked): void {
    tracked.subscription?.unsubscribe();
    tracked.subscription = undefined;
  }

  function changed(
    tracked: Tracked,
    snapshot: AnyMachineSnapshot,
    eventType: string | undefined,
    edges: string[],
  ): void {
    if (!isMachineSnapshot(snapshot)) return;
    const leaves = activeLeafIds(snapshot.machine, snapshot.value);
    const key = leaves.join('\n');
    if (key === tracked.lastKey) return;
    const from = tracked.lastNames;
    const to = leafNames(snapshot.machine, leaves);
    const last = historyOf(snapshot).at(-1);
    const fresh = last !== undefined && last !== tracked.lastHistoryEntry ? last : undefined;
    tracked.lastKey = key;
    tracked.lastNames = to;
    tracked.lastHistoryEntry = last;
    const event = eventType ?? fresh?.cause.event ?? 'unknown';
    emit({
      type: 'transition',
      id: tracked.entry.id,
      state: leaves,
      from,
      to,
      event,
      edges,
      time: fresh?.time ?? now(),
      cause: fresh?.cause ?? { event: causeEventName(event) },
    });
  }

  /** Tracks new machine children of `parent` and drops those gone; lazy, so free when unasked. */
  function syncChildren(parent: Tracked): void {
    const spec = parent.entry.children;
    if (!spec || !byId.has(parent.entry.id)) return;
    const children = (parent.entry.actor.getSnapshot() as { children?: Record<string, unknown> })
      .children;
    const present = new Set<string>();
    for (const [id, ref] of Object.entries(children ?? {})) {
      const child = ref as AnyActorRef | undefined;
      if (!child || !snapshotOf(child)) continue;
      present.add(id);
      if (parent.spawned.has(id) && byId.get(id)?.entry.actor === child) continue;
      parent.spawned.add(id);
      // `web.0` rather than `<cluster id>.0`: the id is random, the name is what users know.
      const prefix = `${parent.entry.id}.`;
      api.track({
        id,
        kind: spec.kind,
        name: id.startsWith(prefix) ? `${parent.entry.name}.${id.slice(prefix.length)}` : id,
        parentId: parent.entry.id,
        chart: spec.chart,
        actor: child,
      });
    }
    for (const id of parent.spawned) {
      if (present.has(id)) continue;
      parent.spawned.delete(id);
      api.untrack(id);
    }
  }

  function syncAll(): void {
    for (const tracked of [...byId.values()]) if (tracked.entry.children) syncChildren(tracked);
  }

  function view(tracked: Tracked): ActorView {
    const { id, kind, name, parentId, chart, actor } = tracked.entry;
    const snapshot = snapshotOf(actor);
    const state = snapshot ? activeLeafIds(snapshot.machine, snapshot.value) : [];
    const status = snapshot ? leafNames(snapshot.machine, state) : 'unknown';
    return { id, kind, name, parentId: parentId ?? null, chart, state, status };
  }

  const api: ChartRegistry = {
    track(entry) {
      const previous = byId.get(entry.id);
      if (previous) api.untrack(entry.id);
      const tracked: Tracked = {
        entry,
        spawned: new Set(),
        lastKey: '',
        lastNames: '',
        lastHistoryEntry: undefined,
        subscription: undefined,
      };
      byId.set(entry.id, tracked);
      byRef.set(entry.actor, tracked);
      if (listeners.size > 0) {
        observe(tracked);
        emit({ type: 'tracked', actor: view(tracked) });
      }
      if (entry.children) syncChildren(tracked);
    },
    untrack(id) {
      const tracked = byId.get(id);
      if (!tracked) return;
      unobserve(tracked);
      byId.delete(id);
      for (const child of tracked.spawned) api.untrack(child);
      if (byRef.get(tracked.entry.actor) === tracked) byRef.delete(tracked.entry.actor);
      if (listeners.size > 0) emit({ type: 'untracked', id });
    },
    list() {
      syncAll();
      return Array.from(byId.values(), view);
    },
    get(id) {
      syncAll();
      const tracked = byId.get(id);
      if (!tracked) return undefined;
      const history = historyOf(snapshotOf(tracked.entry.actor)) as HistoryRow[];
      return { ...view(tracked), history: [...history] };
    },
    machineOf(chart) {
      for (const tracked of byId.values()) {
        if (tracked.entry.chart !== chart) continue;
        const snapshot = snapshotOf(tracked.entry.actor);
        if (snapshot) return snapshot.machine;
      }
      return undefined;
    },
    subscribe(listener) {
      listeners.add(listener);
      if (listeners.size === 1) for (const tracked of byId.values()) observe(tracked);
      return () => {
        if (!listeners.delete(listener) || listeners.size > 0) return;
        for (const tracked of byId.values()) unobserve(tracked);
      };
    },
    inspect(event) {
      if (listeners.size === 0 || event.type !== '@xstate.microstep') return;
      const ref = event.actorRef as AnyActorRef;
      let tracked = byRef.get(ref);
      if (!tracked && ref._parent && byRef.get(ref._parent)?.entry.children) {
        syncChildren(byRef.get(ref._parent)!);
        tracked = byRef.get(ref);
      }
      if (!tracked) return;
      const edges: string[] = [];
      for (const transition of event._transitions) {
        const edge = edgeIdOf(transition);
        if (edge !== undefined) edges.push(edge);
      }
      changed(tracked, event.snapshot as AnyMachineSnapshot, event.event.type, edges);
    },
  };
  return api;
}

function isMachineSnapshot(snapshot: unknown): snapshot is AnyMachineSnapshot {
  return (
    typeof snapshot === 'object' &&
    snapshot !== null &&
    'machine' in snapshot &&
    'value' in snapshot &&
    (snapshot as { machine?: unknown }).machine !== undefined
  );
}

function snapshotOf(actor: AnyActorRef): AnyMachineSnapshot | undefined {
  const snapshot: unknown = actor.getSnapshot();
  return isMachineSnapshot(snapshot) ? snapshot : undefined;
}

function historyOf(snapshot: AnyMachineSnapshot | undefined): readonly HistoryRow[] {
  const history = (snapshot?.context as { history?: unknown } | undefined)?.history;
  return Array.isArray(history) ? (history as HistoryRow[]) : [];
}

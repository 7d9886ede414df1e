import type { SerializedError } from '../../types/info.js';
import type { WatchSettings } from './triggers.js';

/**
 * The contract between a process (or worker) chart and the actor that owns the real child.
 * The chart invokes an actor named `child` (a callback actor) with `ChildInput`; that actor
 * spawns the program and sends `ChildEvent`s back to the chart, and obeys `ChildCommand`s.
 * The daemon provides the real one (src/actors/child); tests provide a fake (guv/testing).
 */

/** What to run. Validated and normalised before it reaches a chart. */
export interface ProcessSpec {
  /** Absolute path of the script or executable. */
  script: string;
  args: string[];
  /**
   * Node flags (`--inspect`, `--max-old-space-size=…`), or the flags of another interpreter
   * (before the script); ignored when `interpreter` is 'none'.
   */
  execArgv: string[];
  /**
   * 'node' wraps the script with guv's preload; 'none' runs `script` as an executable; an
   * absolute path is another interpreter (bash, python3…), run as `<it> …execArgv script …args`.
   */
  interpreter: string;
  cwd: string;
  env: Record<string, string>;
  user: string | null;
  group: string | null;
  /** When true the child is `running` only after the app itself signals ready (`process.send('ready')`). */
  appReadiness: boolean;
}

export interface ChildInput {
  /** Id of the supervised process (or worker slot). */
  id: string;
  spec: ProcessSpec;
  /** 0 for the first start, then 1, 2, … for each restart. */
  attempt: number;
  /** Set when the chart adopted a child the keeper runs: attach to it, spawn nothing. */
  adoptPid?: number;
}

/** Sent by the child actor to the chart. */
export type ChildEvent =
  | { type: 'CHILD.FORKED'; pid: number }
  /** The child could not be created (ENOENT, EACCES, bad uid…), or the wrapper broke. */
  | { type: 'CHILD.SPAWN_FAILED'; error: SerializedError }
  /** The user's main module has been loaded and evaluated. */
  | { type: 'CHILD.STARTED' }
  /** The child is ready: the wrapper's IPC is up (or the app said so with appReadiness). */
  | { type: 'CHILD.READY' }
  /** The user's module threw while loading. An exit follows. */
  | { type: 'CHILD.ERRORED'; error: SerializedError }
  /** An uncaught exception that a handler dealt with: the process keeps running. */
  | { type: 'CHILD.UNCAUGHT'; error: SerializedError }
  /** An uncaught exception nobody handled: the process is about to exit. */
  | { type: 'CHILD.FATALITY'; error: SerializedError }
  /** `rssBytes`: the resident set the wrapper measured, when it did. */
  | { type: 'CHILD.HEARTBEAT'; rssBytes?: number }
  /** Waiting for a debugger (`--inspect-brk`). */
  | { type: 'CHILD.PAUSED' }
  | { type: 'CHILD.EXIT'; code: number | null; signal: string | null };

/** What the `watcher` actor is given: null settings watch nothing. */
export interface WatcherInput {
  id: string;
  watch: WatchSettings | null;
  cwd: string;
  /** The app's account: the watcher leaves out what it could not read. */
  user: string | null;
  group: string | null;
}

/** The `watcher` actor's input for a chart (a process, a worker or a cluster) of this context. */
export function watcherInputOf(context: {
  id: string;
  triggers: { watch: WatchSettings | null };
  spec: { cwd: string; user: string | null; group: string | null };
}): WatcherInput {
  const { id, triggers, spec } = context;
  return { id, watch: triggers.watch, cwd: spec.cwd, user: spec.user, group: spec.group };
}

/** Sent by the `watcher` actor to the chart. */
export type WatcherEvent =
  /** Something changed under a watched path (`path` relative to the cwd when inside it). */
  | { type: 'WATCH.CHANGED'; path: string }
  /** The watcher is in place: changes from now on are seen. */
  | { type: 'WATCH.READY' }
  /** The watcher could not be set up (too many files, unreadable path): nothing is watched. */
  | { type: 'WATCH.FAILED'; message: string };

/** Sent by the chart to the child actor. */
export type ChildCommand = { type: 'SIGNAL'; signal: NodeJS.Signals };

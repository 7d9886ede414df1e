import { GuvError } from '../errors.js';
import { readState, type StateReadResult, writeState } from './state-store.js';
import type { ProcessDefinition } from '../supervision/process-definition.js';

/** One process as the daemon saves it: the user's intent plus the facts needed after a crash. */
export interface SavedProcess {
  definition: ProcessDefinition;
  desired: 'running' | 'stopped';
  /** The child's pid and /proc start time, so a new daemon can tell a leftover child apart. */
  pid: number | null;
  pidStartTime: string | null;
  restarts: number;
}

export interface SavedState {
  version: 1;
  /** False while a daemon runs; true once it stopped everything and exited cleanly. */
  cleanShutdown: boolean;
  processes: SavedProcess[];
}

function fail(what: string): never {
  throw new GuvError('GUV_STATE_CORRUPT', what);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function checkDefinition(value: unknown, at: string): ProcessDefinition {
  if (typeof value !== 'object' || value === null) fail(`${at}: definition is not an object`);
  const d = value as ProcessDefinition;
  if (typeof d.id !== 'string' || typeof d.name !== 'string')
    fail(`${at}: id and name must be strings`);
  const spec = d.spec as unknown as Record<string, unknown>;
  if (typeof spec !== 'object' || spec === null) fail(`${at}: spec is not an object`);
  if (typeof spec.script !== 'string' || typeof spec.cwd !== 'string')
    fail(`${at}: spec.script and spec.cwd must be strings`);
  if (!isStringArray(spec.args) || !isStringArray(spec.execArgv))
    fail(`${at}: spec.args and spec.execArgv must be lists of strings`);
  if (
    typeof spec.interpreter !== 'string' ||
    !(['node', 'none'].includes(spec.interpreter) || spec.interpreter.startsWith('/'))
  )
    fail(`${at}: spec.interpreter must be node, none or an absolute path`);
  if (typeof spec.env !== 'object' || spec.env === null) fail(`${at}: spec.env must be an object`);
  if (d.instances !== null && !Number.isInteger(d.instances))
    fail(`${at}: instances must be null or a number`);
  const watch = d.triggers?.watch;
  if (watch && (!isStringArray(watch.paths) || !isStringArray(watch.ignore)))
    fail(`${at}: triggers.watch.paths and .ignore must be lists of strings`);
  for (const file of [d.logs?.outFile, d.logs?.errorFile])
    if (file !== undefined && file !== null && (typeof file !== 'string' || !file.startsWith('/')))
      fail(`${at}: logs.outFile and logs.errorFile must be absolute paths`);
  return d;
}

/** Validates the parsed processes file; throws on anything that is not what the daemon wrote. */
export function parseSavedState(raw: unknown): SavedState {
  if (typeof raw !== 'object' || raw === null) fail('not an object');
  const r = raw as Record<string, unknown>;
  if (r.version !== 1) fail(`unknown version ${JSON.stringify(r.version)}`);
  if (!Array.isArray(r.processes)) fail('processes is not a list');
  const processes = r.processes.map((item: unknown, index: number): SavedProcess => {
    const at = `processes[${index}]`;
    if (typeof item !== 'object' || item === null) fail(`${at} is not an object`);
    const p = item as Record<string, unknown>;
    if (p.desired !== 'running' && p.desired !== 'stopped')
      fail(`${at}.desired must be running or stopped`);
    return {
      definition: checkDefinition(p.definition, at),
      desired: p.desired,
      pid: Number.isInteger(p.pid) ? (p.pid as number) : null,
      pidStartTime: typeof p.pidStartTime === 'string' ? p.pidStartTime : null,
      restarts: Number.isInteger(p.restarts) ? (p.restarts as number) : 0,
    };
  });
  return { version: 1, cleanShutdown: r.cleanShutdown === true, processes };
}

export function readSavedState(path: string): Promise<StateReadResult<SavedState>> {
  return readState(path, parseSavedState);
}

/**
 * Writes the saved state after changes, coalescing bursts (a crash loop changes status many
 * times a second, 50 starts arrive at once) and never running two writes of the same file at
 * once: a flush asked for while a write is under way shares the one write that follows it.
 * `flush()` rejects when its write failed (a dump must not say "saved"); a scheduled write that
 * fails goes to `onError`.
 */
export function createStateSaver(
  path: string,
  snapshot: () => SavedState,
  onError: (error: unknown) => void,
) {
  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<void> | null = null;
  let next: Promise<void> | null = null;

  function writeNow(): Promise<void> {
    const write = writeState(path, snapshot()).finally(() => {
      if (inFlight === write) inFlight = null;
    });
    inFlight = write;
    return write;
  }

  function flush(): Promise<void> {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    if (next) return next;
    if (!inFlight) return writeNow();
    // The snapshot is taken when this write starts, so it holds every change made until then.
    // The write under way has its own callers; whatever became of it, this one starts after.
    next = inFlight
      .catch(() => {})
      .then(() => {
        next = null;
        return writeNow();
      });
    return next;
  }

  return {
    schedule(delayMs = 50): void {
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        flush().catch(onError);
      }, delayMs);
    },
    /** Writes now (after any write under way); resolves once it is on disk, rejects if it failed. */
    flush,
    cancel(): void {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}

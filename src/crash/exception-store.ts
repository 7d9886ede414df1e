import { boundError } from '../actors/wrapper/parse-message.js';
import { GuvError } from '../errors.js';
import { readState, type StateReadResult, writeState } from '../persistence/state-store.js';
import { rename, stat } from '../fs/async-fs.js';
import type { SerializedError } from '../types/info.js';

/** One uncaught exception reported by a process's wrapper. Plain JSON. */
export interface StoredException {
  /** Epoch ms when the daemon received it. */
  time: number;
  pid: number | null;
  /** True when the app had its own `uncaughtException` listener, so the process lived on. */
  handled: boolean;
  error: SerializedError;
}

export interface ExceptionStoreOptions {
  /** The JSON file, e.g. `join(home.state, 'exceptions.json')`. */
  file: string;
  /** Kept per process; the oldest goes first. Default 50. */
  perProcess?: number;
  /** Kept over every process; the oldest anywhere goes first. Default 2000. */
  total?: number;
  /** Bytes of JSON kept per process (about 50 exceptions at their caps). Default 2 MiB. */
  perProcessBytes?: number;
  /** Bytes of JSON kept over every process: the file stays about this size. Default 8 MiB. */
  totalBytes?: number;
  /** Writes are gathered for this long. Default 1000 ms. */
  debounceMs?: number;
  /** Called when a debounced write fails (the daemon logs it). */
  onWriteError?: (error: unknown) => void;
}

export interface SavedExceptions {
  version: 1;
  processes: Record<string, StoredException[]>;
}

/** What one entry adds to the file besides its own JSON (indentation, separators). */
const ENTRY_OVERHEAD = 128;

/**
 * Every uncaught exception per process, bounded, persisted (debounced, atomically) so that
 * `guv exceptions <p>` still answers after a daemon restart. An exception comes from the app:
 * its texts are cut to the wrapper's caps, and the store is bounded in count and in bytes, per
 * process and in all, so the file and the daemon's memory stay small whatever apps throw.
 *
 * @example
 * const exceptions = createExceptionStore({ file: join(home.state, 'exceptions.json') });
 * await exceptions.load();
 * exceptions.add(id, { time: Date.now(), pid, handled: false, error });
 * exceptions.last(id)?.error.message;
 * await exceptions.close();
 */
export function createExceptionStore(options: ExceptionStoreOptions) {
  const perProcess = options.perProcess ?? 50;
  const total = options.total ?? 2000;
  const perProcessBytes = options.perProcessBytes ?? 2 * 1024 * 1024;
  const totalBytes = options.totalBytes ?? 8 * 1024 * 1024;
  const debounceMs = options.debounceMs ?? 1000;
  const byProcess = new Map<string, StoredException[]>();
  const sizes = new WeakMap<StoredException, number>();
  const bytesByProcess = new Map<string, number>();
  let count = 0;
  let bytes = 0;
  let timer: NodeJS.Timeout | null = null;
  let writing: Promise<void> = Promise.resolve();
  let dirty = false;

  /** Takes the oldest of one process out of every count. */
  function shift(processId: string, list: StoredException[]): void {
    const entry = list.shift();
    if (!entry) return;
    const size = sizes.get(entry) ?? 0;
    count--;
    bytes -= size;
    const left = (bytesByProcess.get(processId) ?? 0) - size;
    if (list.length === 0) {
      byProcess.delete(processId);
      bytesByProcess.delete(processId);
    } else bytesByProcess.set(processId, left);
  }

  function dropOldestAnywhere(): void {
    let oldestId: string | null = null;
    let oldestTime = Number.POSITIVE_INFINITY;
    for (const [id, list] of byProcess) {
      const first = list[0];
      if (first && first.time < oldestTime) {
        oldestTime = first.time;
        oldestId = id;
      }
    }
    if (oldestId !== null) shift(oldestId, byProcess.get(oldestId)!);
  }

  function insert(processId: string, given: StoredException): void {
    const entry: StoredException = { ...given, error: boundError(given.error) };
    const size = Buffer.byteLength(JSON.stringify(entry)) + ENTRY_OVERHEAD;
    sizes.set(entry, size);
    let list = byProcess.get(processId);
    if (!list) {
      list = [];
      byProcess.set(processId, list);
    }
    list.push(entry);
    count++;
    bytes += size;
    bytesByProcess.set(processId, (bytesByProcess.get(processId) ?? 0) + size);
    while (
      list.length > 1 &&
      (list.length > perProcess || bytesByProcess.get(processId)! > perProcessBytes)
    ) {
      shift(processId, list);
    }
    while (count > 1 && (count > total || bytes > totalBytes)) dropOldestAnywhere();
  }

  function scheduleWrite(): void {
    dirty = true;
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      flush().catch((error) => options.onWriteError?.(error));
    }, debounceMs);
    timer.unref();
  }

  function flush(): Promise<void> {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    // Writes run one after another; each takes the state as it is when its turn comes.
    writing = writing
      .catch(() => {})
      .then(async () => {
        if (!dirty) return;
        dirty = false;
        const saved: SavedExceptions = { version: 1, processes: Object.fromEntries(byProcess) };
        try {
          await writeState(options.file, saved);
        } catch (error) {
          dirty = true;
          throw error;
        }
      });
    return writing;
  }

  return {
    /**
     * Reads the file written by an earlier daemon. A corrupt file is renamed aside (see
     * `readState`) and the store starts empty; the result says so, for the daemon's log.
     */
    async load(): Promise<StateReadResult<SavedExceptions>> {
      const tooBig = await setAsideIfTooBig(options.file, totalBytes * 4);
      if (tooBig) return tooBig;
      const read = await readState(options.file, parseSavedExceptions);
      if (read.kind === 'ok') {
        const entries = Object.entries(read.value.processes).flatMap(([id, list]) =>
          list.map((entry) => [id, entry] as const),
        );
        entries.sort((a, b) => a[1].time - b[1].time);
        for (const [id, entry] of entries) insert(id, entry);
      }
      return read;
    },
    add(processId: string, entry: StoredException): void {
      insert(processId, entry);
      scheduleWrite();
    },
    /** Oldest first. */
    list(processId: string): readonly StoredException[] {
      return [...(byProcess.get(processId) ?? [])];
    },
    last(processId: string): StoredException | null {
      return byProcess.get(processId)?.at(-1) ?? null;
    },
    clear(processId: string): void {
      const list = byProcess.get(processId);
      if (!list) return;
      count -= list.length;
      bytes -= bytesByProcess.get(processId) ?? 0;
      byProcess.delete(processId);
      bytesByProcess.delete(processId);
      scheduleWrite();
    },
    /** How many are kept over every process. */
    get size(): number {
      return count;
    },
    /** About how many bytes of JSON they take. */
    get bytes(): number {
      return bytes;
    },
    /** Writes now what a debounce is waiting to write. */
    flush,
    /** Flushes; call when the daemon stops. */
    close: flush,
  };
}

export type ExceptionStore = ReturnType<typeof createExceptionStore>;

/**
 * A file far over the store's cap (written before there was one) is not read whole into the
 * daemon: it is renamed aside and reported as corrupt, and the store starts empty.
 */
async function setAsideIfTooBig(
  file: string,
  maxBytes: number,
): Promise<StateReadResult<SavedExceptions> | null> {
  const size = await stat(file).then(
    (stats) => stats.size,
    () => 0,
  );
  if (size <= maxBytes) return null;
  const keptAs = `${file}.too-big-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const moved = await rename(file, keptAs).then(
    () => true,
    () => false,
  );
  const where = moved ? `; kept as ${keptAs}` : '';
  const error = new GuvError(
    'GUV_STATE_CORRUPT',
    `${file} is ${size} bytes, over ${maxBytes}: not read${where}`,
  );
  return { kind: 'corrupt', error, keptAs: moved ? keptAs : null };
}

function parseSavedExceptions(value: unknown): SavedExceptions {
  if (!isRecord(value) || value.version !== 1 || !isRecord(value.processes)) {
    throw new GuvError('GUV_STATE_CORRUPT', 'not a version 1 exceptions file');
  }
  const processes: Record<string, StoredException[]> = {};
  for (const [id, list] of Object.entries(value.processes)) {
    if (!Array.isArray(list))
      throw new GuvError('GUV_STATE_CORRUPT', `exceptions of ${id} are not a list`);
    processes[id] = list.map((entry) => parseEntry(id, entry));
  }
  return { version: 1, processes };
}

function parseEntry(id: string, entry: unknown): StoredException {
  if (
    !isRecord(entry) ||
    typeof entry.time !== 'number' ||
    !(entry.pid === null || typeof entry.pid === 'number') ||
    typeof entry.handled !== 'boolean' ||
    !isRecord(entry.error) ||
    typeof entry.error.name !== 'string' ||
    typeof entry.error.message !== 'string'
  ) {
    throw new GuvError('GUV_STATE_CORRUPT', `an exception of ${id} is malformed`);
  }
  const error: SerializedError = { name: entry.error.name, message: entry.error.message };
  if (typeof entry.error.code === 'string') error.code = entry.error.code;
  if (typeof entry.error.stack === 'string') error.stack = entry.error.stack;
  return { time: entry.time, pid: entry.pid, handled: entry.handled, error };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

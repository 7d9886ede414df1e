import type { DaemonLogger } from '../daemon/daemon-log.js';
import { readProcessStartTime } from '../procfs/process-identity.js';
import type { ProcessTable } from '../supervision/process-table.js';
import { stopLeftoverChildren } from './leftovers.js';
import { createStateSaver, readSavedState, type SavedState } from './saved-state.js';

export interface ProcessListOptions {
  /** processes.json under the home's state folder. */
  file: string;
  /** Resolved lazily: the table is built after the list (its changes schedule a save). */
  table: () => ProcessTable;
  log: DaemonLogger;
  /** guv.json `autoresume`: bring back what ran after a clean stop too. */
  autoresume: boolean;
  requestTimeoutMs: number;
  /** False: the list lives in memory only, the file is never written (`guv run`). */
  persist?: boolean;
}

/**
 * The daemon's saved process list: what the user wants running, saved after every change, brought
 * back at boot (or on `guv restore`), and kept wanted when the daemon stops everything to exit.
 */
export function createProcessList(options: ProcessListOptions) {
  const { log } = options;
  let cleanShutdown = false;
  const saveFailed = (error: unknown) =>
    log.error({ err: error }, 'saving the process list failed');

  function snapshot(): SavedState {
    return {
      version: 1,
      cleanShutdown,
      processes: options
        .table()
        .all()
        .map((supervised) => {
          const pid = supervised.pid;
          return {
            definition: supervised.definition,
            desired: supervised.desired,
            pid,
            pidStartTime: pid === null ? null : readProcessStartTime(pid),
            restarts: supervised.info().restarts,
          };
        }),
    };
  }
  const saver =
    options.persist === false
      ? { schedule: () => {}, flush: async () => {} }
      : createStateSaver(options.file, snapshot, saveFailed);

  /** Brings back the saved processes; at boot, first stops the children a dead daemon left. */
  async function restore(mode: 'boot' | 'request'): Promise<void> {
    if (options.persist === false) return;
    const read = await readSavedState(options.file);
    if (read.kind === 'missing') return;
    // The daemon chart logs the failure (its message says where the file was kept), once.
    if (read.kind === 'corrupt') throw read.error;
    const saved = read.value;
    if (mode === 'boot') {
      const stopped = await stopLeftoverChildren(saved.processes, 5000);
      if (stopped.length > 0)
        log.warn({ pids: stopped }, 'stopped children left by a daemon that died');
      if (!saved.cleanShutdown)
        log.warn('the previous daemon did not shut down cleanly; restoring its processes');
      else if (!options.autoresume) return;
    }
    const table = options.table();
    const starts: Promise<unknown>[] = [];
    for (const entry of saved.processes) {
      if (table.has(entry.definition.id) || table.nameTaken(entry.definition.name)) continue;
      const supervised = table.add(entry.definition);
      // A process saved as stopped comes back `stopped`, not `uninitialised`.
      const settled =
        entry.desired === 'running'
          ? supervised.start('restore', options.requestTimeoutMs)
          : supervised.stop('restore', options.requestTimeoutMs);
      starts.push(settled.catch(() => {}));
    }
    await Promise.all(starts);
  }

  /** Stops every process for the daemon's exit, keeping what the user wanted for the next one. */
  async function stopAllForExit(): Promise<void> {
    const table = options.table();
    const wanted = new Map(table.all().map((s) => [s.definition.id, s.desired] as const));
    await Promise.allSettled(
      table.all().map((supervised) => supervised.stop('daemon', options.requestTimeoutMs)),
    );
    for (const supervised of table.all())
      supervised.desired = wanted.get(supervised.definition.id) ?? 'stopped';
    cleanShutdown = true;
    // Everything is stopped: a list that cannot be saved must not turn the exit into a crash.
    await saver.flush().catch(saveFailed);
  }

  return {
    restore,
    stopAllForExit,
    schedule: () => saver.schedule(),
    flush: () => saver.flush(),
    /** A save for a request's answer: a failure is logged, never the request's failure. */
    persist: () => saver.flush().catch(saveFailed),
  };
}

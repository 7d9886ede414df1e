import type { DaemonLogger } from '../daemon/daemon-log.js';
import type { KeeperClient } from '../keeper/client.js';
import type { ChildFacts, ExitRecord } from '../keeper/protocol.js';
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
  /** The connection to the keeper when processes and clusters run under it (guv.json `keeper`). */
  keeper?: () => KeeperClient | null;
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

  /**
   * Brings back the saved processes; at boot, first stops the children a dead daemon left, and
   * re-adopts those the keeper kept running (never a second copy: a kept child nobody wants is
   * killed).
   */
  async function restore(mode: 'boot' | 'request'): Promise<void> {
    const keeper = mode === 'boot' ? (options.keeper?.() ?? null) : null;
    const kept = new Map((keeper?.facts.children ?? []).map((child) => [child.childId, child]));
    try {
      await restoreSaved(mode, kept, keeper?.facts.exits ?? []);
    } finally {
      if (keeper) await settleKept(keeper, kept);
    }
  }

  async function restoreSaved(
    mode: 'boot' | 'request',
    kept: Map<string, ChildFacts>,
    exits: readonly ExitRecord[],
  ) {
    if (options.persist === false) return;
    const read = await readSavedState(options.file);
    if (read.kind === 'missing') return;
    // The daemon chart logs the failure (its message says where the file was kept), once.
    if (read.kind === 'corrupt') throw read.error;
    const saved = read.value;
    if (mode === 'boot') {
      const left = saved.processes.filter((entry) => !kept.has(entry.definition.id));
      const stopped = await stopLeftoverChildren(left, 5000);
      if (stopped.length > 0)
        log.warn({ pids: stopped }, 'stopped children left by a daemon that died');
      if (!saved.cleanShutdown)
        log.warn('the previous daemon did not shut down cleanly; restoring its processes');
      else if (!options.autoresume) return;
    }
    const table = options.table();
    const starts: Promise<unknown>[] = [];
    // The newest exit of each child the keeper saw end (the records are oldest first).
    const lastExits = new Map(exits.map((exit) => [exit.childId, exit]));
    for (const entry of saved.processes) {
      if (table.has(entry.definition.id) || table.nameTaken(entry.definition.name)) continue;
      const supervised = table.add(entry.definition);
      const child = kept.get(entry.definition.id);
      if (child && entry.desired === 'running' && supervised.adopt) {
        kept.delete(entry.definition.id);
        const restarts = (child.meta as { restarts?: unknown } | null)?.restarts;
        supervised.adopt({
          pid: child.pid,
          startedAt: child.spawnedAt,
          restarts: Number.isSafeInteger(restarts) ? (restarts as number) : entry.restarts,
          kept: child,
        });
        log.info({ process: entry.definition.name, pid: child.pid }, 're-adopted from the keeper');
        continue;
      }
      // Its last run ended while no daemon ran: the restart policy decides on that exit.
      const exit = lastExits.get(entry.definition.id);
      if (exit && entry.desired === 'running' && supervised.adoptExit) {
        const restarts = (exit.meta as { restarts?: unknown } | null)?.restarts;
        supervised.adoptExit({
          restarts: Number.isSafeInteger(restarts) ? (restarts as number) : entry.restarts,
          code: exit.code,
          signal: exit.signal,
        });
        log.info({ process: entry.definition.name, pid: exit.pid }, 'exited while no daemon ran');
        continue;
      }
      // A process saved as stopped comes back `stopped`, not `uninitialised`.
      const settled =
        entry.desired === 'running'
          ? supervised.start('restore', options.requestTimeoutMs)
          : supervised.stop('restore', options.requestTimeoutMs);
      starts.push(settled.catch(() => {}));
    }
    await Promise.all(starts);
  }

  /**
   * After a boot's restore: a child the keeper kept that no chart adopted is killed (its process
   * was removed, or saved as stopped), and the exits the keeper recorded are acknowledged (the
   * processes they ended were started afresh above).
   */
  async function settleKept(keeper: KeeperClient, unadopted: Map<string, ChildFacts>) {
    for (const child of unadopted.values()) {
      log.warn({ id: child.childId, pid: child.pid }, 'killed a kept child no process wants');
      await keeper.signal(child.childId, 'SIGKILL').catch(() => {});
    }
    const last = keeper.facts.exits.at(-1);
    if (last) await keeper.ack(last.seq).catch(() => {});
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

import { GuvError } from '../errors.js';
import type { ClusterInfo, ProcessInfo } from '../types/info.js';
import { findProcess } from './find-process.js';
import type { ProcessDefinition } from './process-definition.js';
import type { Supervised } from './supervised.js';

export type { Supervised } from './supervised.js';

export interface ProcessTableOptions {
  /** Builds what supervises a definition (a process or a cluster), its chart started. */
  create(definition: ProcessDefinition): Supervised;
  onAdded?(supervised: Supervised): void;
  onRemoved?(supervised: Supervised): void;
  /** Called after anything the persisted state depends on changed. */
  onChange(): void;
}

/**
 * What the daemon supervises, keyed by id: one actor per process in a flat map (never spawned
 * into one parent, which slows XState down quadratically with thousands of children).
 */
export function createProcessTable(options: ProcessTableOptions) {
  const processes = new Map<string, Supervised>();
  // Names are unique and never change: starting n copies of one script asks "taken?" ~n² times.
  const byName = new Map<string, Supervised>();

  function add(definition: ProcessDefinition): Supervised {
    if (processes.has(definition.id)) {
      throw new GuvError('GUV_PROCESS_EXISTS', `a process with id "${definition.id}" exists`);
    }
    const supervised = options.create(definition);
    processes.set(definition.id, supervised);
    byName.set(definition.name, supervised);
    options.onAdded?.(supervised);
    options.onChange();
    return supervised;
  }

  function get(query: string): Supervised {
    const found = findProcess(
      [...processes.values()].map((supervised) => ({
        id: supervised.definition.id,
        name: supervised.definition.name,
        pid: supervised.pid,
        supervised,
      })),
      query,
    );
    return found.supervised;
  }

  /** Stops it, drops its chart and forgets it; resolves with its last info. */
  async function remove(
    supervised: Supervised,
    by: string,
    timeoutMs: number,
  ): Promise<ProcessInfo | ClusterInfo> {
    const info = await supervised.stop(by, timeoutMs);
    supervised.dispose();
    processes.delete(supervised.definition.id);
    byName.delete(supervised.definition.name);
    options.onRemoved?.(supervised);
    options.onChange();
    return info;
  }

  return {
    add,
    get,
    remove,
    has: (id: string) => processes.has(id),
    byId: (id: string) => processes.get(id),
    all: () => [...processes.values()],
    byName: (name: string) => byName.get(name),
    nameTaken: (name: string) => byName.has(name),
  };
}

export type ProcessTable = ReturnType<typeof createProcessTable>;

import { constants as osConstants } from 'node:os';
import { GuvError } from '../errors.js';
import { mkdir } from '../fs/async-fs.js';
import { objectParams, stringParam } from '../rpc/params.js';
import type { HeapScan } from '../heap/snapshot-scan.js';
import type { MethodHandlers } from '../protocol/methods.js';
import type { RpcContext } from '../rpc/server.js';
import type { LiveTarget, Supervised } from '../supervision/supervised.js';

export interface LiveMethodDeps {
  /** The process or cluster a request names (`target`: id, name or pid). */
  target(params: Record<string, unknown>): Supervised;
  /** Where heap snapshots go unless the caller names a file. */
  logsDir: string;
  summariseHeap(path: string, top: number): Promise<HeapScan>;
}

/**
 * The commands that reach into running code: send, signal, write, gc, heapdump. Each goes to
 * every live target of what the request names: a process's own child, or each running worker of
 * a cluster (as pm2's sendSignal does). Answers about workers say how many, or which.
 */
export function createLiveMethods(
  deps: LiveMethodDeps,
): MethodHandlers<'send' | 'signal' | 'write' | 'gc' | 'heapdump', RpcContext> {
  return {
    send: async (params) => {
      const p = objectParams(params);
      const targets = deps.target(p).liveTargets();
      const event = stringParam(p, 'event');
      const args = Array.isArray(p.args) ? p.args : [];
      const delivered = await Promise.all(targets.map((t) => t.send(event, args)));
      return { delivered: delivered.some(Boolean), ...workerCount(targets) };
    },
    signal: (params) => {
      const p = objectParams(params);
      const supervised = deps.target(p);
      const signal = parseSignal(p.signal);
      const targets = supervised.liveTargets();
      // Every target is signalled before one that was gone fails the request.
      const sent = targets.map((t) => t.signal(signal));
      if (!sent.every(Boolean)) throw notRunning(supervised);
      return { signal, ...(ofWorkers(targets) ? { pids: targets.map((t) => t.pid) } : {}) };
    },
    write: (params) => {
      const p = objectParams(params);
      const supervised = deps.target(p);
      if (typeof p.data !== 'string') {
        throw new GuvError('GUV_BAD_ARGUMENT', '"data" must be a string');
      }
      const data = p.data;
      if (!supervised.liveTargets().every((t) => t.write(data))) {
        throw new GuvError(
          'GUV_PROCESS_NOT_RUNNING',
          `${supervised.definition.name} does not accept input`,
        );
      }
      return { written: Buffer.byteLength(data) };
    },
    gc: async (params) => {
      const targets = deps.target(objectParams(params)).liveTargets();
      await Promise.all(targets.map((t) => t.gc()));
      return { ok: true, ...workerCount(targets) };
    },
    heapdump: async (params) => {
      const p = objectParams(params);
      const supervised = deps.target(p);
      const targets = supervised.liveTargets();
      const top = typeof p.top === 'number' && Number.isInteger(p.top) && p.top > 0 ? p.top : 20;
      const requested = typeof p.path === 'string' && p.path.length > 0 ? p.path : null;
      const pathOf = await snapshotPaths(supervised, requested);
      const written = await Promise.all(
        targets.map((t) => heapdumpOf(supervised, t, pathOf(t.worker))),
      );
      const dumps = [];
      for (const path of written) {
        dumps.push(
          p.summary === true ? { path, summary: await deps.summariseHeap(path, top) } : { path },
        );
      }
      const [first] = dumps;
      // liveTargets() never answers with none; this keeps the reply's type exact.
      if (!first) throw notRunning(supervised);
      return ofWorkers(targets) ? { path: first.path, workers: dumps } : first;
    },
  };

  /**
   * Where each target's snapshot goes: the requested file (a process), or `<base>.heapsnapshot`
   * in the process's log folder; a worker's gets `-worker<index>` before the extension.
   */
  async function snapshotPaths(supervised: Supervised, requested: string | null) {
    const base = requested?.replace(/\.heapsnapshot$/, '') ?? (await defaultBase(supervised));
    return (worker: number | null) =>
      worker === null
        ? (requested ?? `${base}.heapsnapshot`)
        : `${base}-worker${worker}.heapsnapshot`;
  }

  /** A snapshot's path in the process's log folder, without `.heapsnapshot`. */
  async function defaultBase(supervised: Supervised): Promise<string> {
    // The process's log folder exists only once it has printed something.
    const folder = `${deps.logsDir}/${supervised.definition.name}`;
    await mkdir(folder, { recursive: true });
    return `${folder}/heap-${Date.now()}`;
  }
}

/** True when the targets are a cluster's workers: answers then say how many, or which. */
function ofWorkers(targets: readonly LiveTarget[]): boolean {
  return targets.some((t) => t.worker !== null);
}

function workerCount(targets: readonly LiveTarget[]): { workers?: number } {
  return ofWorkers(targets) ? { workers: targets.length } : {};
}

async function heapdumpOf(supervised: Supervised, target: LiveTarget, path: string) {
  try {
    return await target.heapdump(path);
  } catch (cause) {
    throw new GuvError(
      'GUV_HEAPDUMP_FAILED',
      `${supervised.definition.name} could not write a heap snapshot to ${path}: ${(cause as Error).message}`,
      { cause },
    );
  }
}

function notRunning(supervised: Supervised): GuvError {
  return new GuvError('GUV_PROCESS_NOT_RUNNING', `${supervised.definition.name} is not running`);
}

function parseSignal(value: unknown): NodeJS.Signals {
  if (typeof value !== 'string') throw new GuvError('GUV_BAD_ARGUMENT', 'signal must be a string');
  const name = (value.startsWith('SIG') ? value : `SIG${value}`).toUpperCase();
  if (!Object.hasOwn(osConstants.signals, name)) {
    throw new GuvError('GUV_BAD_ARGUMENT', `unknown signal "${value}"`);
  }
  return name as NodeJS.Signals;
}

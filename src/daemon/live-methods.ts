import { constants as osConstants } from 'node:os';
import type { RequestBody } from '../actors/child/pending-replies.js';
import type { ClusterSupervisor } from '../cluster/cluster-supervisor.js';
import { GuvError } from '../errors.js';
import { mkdir } from '../fs/async-fs.js';
import { objectParams, stringParam } from '../rpc/params.js';
import type { HeapScan } from '../heap/snapshot-scan.js';
import type { MethodHandlers } from '../protocol/methods.js';
import type { RpcContext } from '../rpc/server.js';
import type { Managed } from './process-table.js';

export interface LiveMethodDeps {
  /** The process or cluster a request names (`target`: id, name or pid). */
  target(params: Record<string, unknown>): Managed;
  /** Where heap snapshots go unless the caller names a file. */
  logsDir: string;
  summariseHeap(path: string, top: number): Promise<HeapScan>;
}

/**
 * The commands that reach into running code: send, signal, write, gc, heapdump. A single process
 * gets them through its ChildHandle; a cluster sends each to every running worker (as pm2's
 * sendSignal does), through the cluster's manager, and answers with one result per worker.
 */
export function createLiveMethods(
  deps: LiveMethodDeps,
): MethodHandlers<'send' | 'signal' | 'write' | 'gc' | 'heapdump', RpcContext> {
  return {
    send: async (params) => {
      const p = objectParams(params);
      const managed = deps.target(p);
      const event = stringParam(p, 'event');
      const args = Array.isArray(p.args) ? p.args : [];
      if (managed.kind === 'cluster') {
        const answers = await managed.requestWorkers(() => ({ type: 'send', event, args }));
        return {
          delivered: answers.some((answer) => answer.result === true),
          workers: answers.length,
        };
      }
      return { delivered: await handleOf(managed).send(event, args) };
    },
    signal: (params) => {
      const p = objectParams(params);
      const managed = deps.target(p);
      const signal = parseSignal(p.signal);
      if (managed.kind === 'cluster') return { signal, pids: managed.signalWorkers(signal) };
      if (!handleOf(managed).signal(signal)) throw notRunning(managed);
      return { signal };
    },
    write: (params) => {
      const p = objectParams(params);
      const managed = deps.target(p);
      if (typeof p.data !== 'string') {
        throw new GuvError('GUV_BAD_ARGUMENT', '"data" must be a string');
      }
      if (managed.kind === 'cluster') {
        throw new GuvError(
          'GUV_NOT_SUPPORTED',
          `${managed.definition.name} is a cluster: its workers read no input`,
        );
      }
      if (!handleOf(managed).write(p.data)) {
        throw new GuvError(
          'GUV_PROCESS_NOT_RUNNING',
          `${managed.definition.name} does not accept input`,
        );
      }
      return { written: Buffer.byteLength(p.data) };
    },
    gc: async (params) => {
      const managed = deps.target(objectParams(params));
      if (managed.kind === 'cluster') {
        const answers = await managed.requestWorkers(() => ({ type: 'gc' }));
        return { ok: true, workers: answers.length };
      }
      await handleOf(managed).gc();
      return { ok: true };
    },
    heapdump: async (params) => {
      const p = objectParams(params);
      const managed = deps.target(p);
      const top = typeof p.top === 'number' && Number.isInteger(p.top) && p.top > 0 ? p.top : 20;
      const summarise = async (path: string) =>
        p.summary === true ? { path, summary: await deps.summariseHeap(path, top) } : { path };
      const requested = typeof p.path === 'string' && p.path.length > 0 ? p.path : null;
      if (managed.kind === 'cluster') {
        const base = requested?.replace(/\.heapsnapshot$/, '') ?? (await defaultBase(managed));
        const workers = [];
        for (const path of await heapdumpWorkers(managed, base))
          workers.push(await summarise(path));
        return { path: workers[0]?.path, workers };
      }
      const path = requested ?? `${await defaultBase(managed)}.heapsnapshot`;
      return summarise(
        await failsAsHeapdump(managed, path, () => handleOf(managed).heapdump(path)),
      );
    },
  };

  /** A snapshot's path in the process's log folder, without `.heapsnapshot`. */
  async function defaultBase(managed: Managed): Promise<string> {
    // The process's log folder exists only once it has printed something.
    const folder = `${deps.logsDir}/${managed.definition.name}`;
    await mkdir(folder, { recursive: true });
    return `${folder}/heap-${Date.now()}`;
  }
}

/** One snapshot per running worker: `<base>-worker<index>.heapsnapshot`. */
async function heapdumpWorkers(cluster: ClusterSupervisor, base: string): Promise<string[]> {
  const pathOf = (index: number) => `${base}-worker${index}.heapsnapshot`;
  const answers = await failsAsHeapdump(cluster, `${base}-worker*.heapsnapshot`, () =>
    cluster.requestWorkers(
      (worker): RequestBody => ({ type: 'heapdump', path: pathOf(worker.index) }),
    ),
  );
  return answers.map((answer) => answer.result as string);
}

async function failsAsHeapdump<T>(managed: Managed, path: string, dump: () => Promise<T>) {
  try {
    return await dump();
  } catch (cause) {
    throw new GuvError(
      'GUV_HEAPDUMP_FAILED',
      `${managed.definition.name} could not write a heap snapshot to ${path}: ${(cause as Error).message}`,
      { cause },
    );
  }
}

function handleOf(managed: Extract<Managed, { kind: 'process' }>) {
  if (!managed.handle) throw notRunning(managed);
  return managed.handle;
}

function notRunning(managed: Managed): GuvError {
  return new GuvError('GUV_PROCESS_NOT_RUNNING', `${managed.definition.name} is not running`);
}

function parseSignal(value: unknown): NodeJS.Signals {
  if (typeof value !== 'string') throw new GuvError('GUV_BAD_ARGUMENT', 'signal must be a string');
  const name = (value.startsWith('SIG') ? value : `SIG${value}`).toUpperCase();
  if (!Object.hasOwn(osConstants.signals, name)) {
    throw new GuvError('GUV_BAD_ARGUMENT', `unknown signal "${value}"`);
  }
  return name as NodeJS.Signals;
}

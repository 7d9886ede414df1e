import { type Actor, createActor, type InspectionEvent } from 'xstate';
import { GuvError } from '../errors.js';
import type { ChildHandle } from '../actors/child/child-handle.js';
import type { ClusterSupervisor } from '../cluster/cluster-supervisor.js';
import type { ProcessMachine } from '../machines/process/machine.js';
import { processInfo } from '../machines/process/info.js';
import type { SupervisionContext } from '../machines/process/supervision-context.js';
import type { ClusterInfo, ProcessInfo, ProcessStatus } from '../types/info.js';
import { findProcess } from './find-process.js';
import type { ProcessDefinition } from './process-definition.js';
import { chartTimers } from './chart-timers.js';
import { settle as settleChart } from './settle.js';

/** A process the daemon supervises: what the user asked for, and the chart that runs it. */
export interface ManagedProcess {
  readonly kind: 'process';
  readonly definition: ProcessDefinition;
  readonly actor: Actor<ProcessMachine>;
  handle: ChildHandle | null;
  /** What the user last asked for; persisted so a new daemon brings back what should run. */
  desired: 'running' | 'stopped';
}

/** A cluster (definition.instances ≠ null): its manager and workers, behind the same operations. */
export type ManagedCluster = ClusterSupervisor;

/** Anything the table holds: `kind` tells a single process from a cluster. */
export type Managed = ManagedProcess | ManagedCluster;

export interface ProcessTableOptions {
  /** The process chart with its real `child` actor and `publish` action provided. */
  machine: ProcessMachine;
  clock: { now(): number };
  onAdded?(managed: ManagedProcess): void;
  onRemoved?(managed: Managed): void;
  /** Called after anything the persisted state depends on changed. */
  onChange(): void;
  /** Builds the supervisor of a cluster definition (its charts bound to a manager process). */
  createCluster(definition: ProcessDefinition): ManagedCluster;
  /** Called when a chart throws (a bug): the process is kept for inspection, its chart is dead. */
  onChartError(definition: ProcessDefinition, error: unknown): void;
  /** Passed to createActor so the visualiser can watch transitions. */
  inspect?: (event: InspectionEvent) => void;
}

/** Statuses a START or STOP request waits for before answering. */
const SETTLED_AFTER_START: ReadonlySet<ProcessStatus> = new Set([
  'running',
  'paused',
  'restarting',
  'failed',
  'aborted',
  'stopped',
]);
const RESTING: ReadonlySet<ProcessStatus> = new Set([
  'stopped',
  'failed',
  'aborted',
  'uninitialised',
]);

/**
 * The daemon's processes, keyed by id: one actor per process in a flat map (never spawned
 * into one parent, which slows XState down quadratically with thousands of children).
 */
export function createProcessTable(options: ProcessTableOptions) {
  const processes = new Map<string, Managed>();
  // Names are unique and never change: starting n copies of one script asks "taken?" ~n² times.
  const byName = new Map<string, Managed>();

  function add(definition: ProcessDefinition): Managed {
    if (processes.has(definition.id)) {
      throw new GuvError('GUV_PROCESS_EXISTS', `a process with id "${definition.id}" exists`);
    }
    if (definition.instances !== null) {
      const cluster = options.createCluster(definition);
      processes.set(definition.id, cluster);
      byName.set(definition.name, cluster);
      options.onChange();
      return cluster;
    }
    const actor = createActor(options.machine, {
      input: {
        id: definition.id,
        name: definition.name,
        spec: definition.spec,
        policy: definition.policy,
        timeouts: definition.timeouts,
        clock: options.clock,
      },
      clock: chartTimers,
      ...(options.inspect ? { inspect: options.inspect } : {}),
    });
    const managed: ManagedProcess = {
      kind: 'process',
      definition,
      actor,
      handle: null,
      desired: 'stopped',
    };
    let lastStatus: ProcessStatus = 'uninitialised';
    actor.subscribe({
      next(snapshot) {
        const status = snapshot.context.status;
        if (status !== lastStatus) {
          lastStatus = status;
          options.onChange();
        }
      },
      error(error) {
        options.onChartError(definition, error);
      },
    });
    processes.set(definition.id, managed);
    byName.set(definition.name, managed);
    actor.start();
    options.onAdded?.(managed);
    options.onChange();
    return managed;
  }

  function get(query: string): Managed {
    const found = findProcess(
      [...processes.values()].map((managed) => ({
        id: managed.definition.id,
        name: managed.definition.name,
        pid: pidOf(managed),
        managed,
      })),
      query,
    );
    return found.managed;
  }

  async function start(managed: Managed, by: string, timeoutMs: number): Promise<ProcessInfo> {
    if (managed.kind === 'cluster') return managed.start(by, timeoutMs);
    managed.desired = 'running';
    managed.actor.send({ type: 'START', by });
    return settle(managed, SETTLED_AFTER_START, timeoutMs, 'start');
  }

  async function restart(managed: Managed, by: string, timeoutMs: number): Promise<ProcessInfo> {
    if (managed.kind === 'cluster') return managed.restart(by, timeoutMs);
    const before = contextOf(managed).restarts;
    managed.desired = 'running';
    managed.actor.send({ type: 'RESTART', by });
    // A RESTART goes through stopping and restarting first (restarts counts up only when the
    // new run begins): wait for the new run, not the old one on its way out.
    await waitUntil(
      managed,
      (c) =>
        c.restarts !== before ||
        (c.status !== 'running' && c.status !== 'stopping' && c.status !== 'restarting'),
      timeoutMs,
      'restart',
    );
    return settle(managed, SETTLED_AFTER_START, timeoutMs, 'restart');
  }

  async function stop(managed: Managed, by: string, timeoutMs: number): Promise<ProcessInfo> {
    if (managed.kind === 'cluster') return managed.stop(by, timeoutMs);
    managed.desired = 'stopped';
    options.onChange();
    managed.actor.send({ type: 'STOP', by });
    return settle(managed, RESTING, timeoutMs, 'stop');
  }

  async function remove(managed: Managed, by: string, timeoutMs: number): Promise<ProcessInfo> {
    const info = await stop(managed, by, timeoutMs);
    if (managed.kind === 'cluster') managed.dispose();
    else managed.actor.stop();
    processes.delete(managed.definition.id);
    byName.delete(managed.definition.name);
    options.onRemoved?.(managed);
    options.onChange();
    return info;
  }

  async function settle(
    managed: ManagedProcess,
    statuses: ReadonlySet<ProcessStatus>,
    timeoutMs: number,
    what: string,
  ): Promise<ProcessInfo> {
    await waitUntil(managed, (c) => statuses.has(c.status), timeoutMs, what);
    return info(managed);
  }

  async function waitUntil(
    managed: ManagedProcess,
    predicate: (context: SupervisionContext) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<void> {
    await settleChart(managed.actor, (snapshot) => predicate(snapshot.context) || undefined, {
      timeoutMs,
      what,
      name: managed.definition.name,
      where: (snapshot) => `status ${snapshot.context.status}`,
    });
  }

  return {
    add,
    get,
    start,
    restart,
    stop,
    remove,
    has: (id: string) => processes.has(id),
    byId: (id: string) => processes.get(id),
    all: () => [...processes.values()],
    byName: (name: string) => byName.get(name),
    nameTaken: (name: string) => byName.has(name),
  };
}

export type ProcessTable = ReturnType<typeof createProcessTable>;

export function contextOf(managed: ManagedProcess): SupervisionContext {
  return managed.actor.getSnapshot().context;
}

export function info(managed: Managed): ProcessInfo | ClusterInfo {
  return managed.kind === 'cluster' ? managed.info() : processInfo(contextOf(managed));
}

/** The pid of a process, or of a cluster's manager. */
export function pidOf(managed: Managed): number | null {
  return managed.kind === 'cluster' ? managed.pid : contextOf(managed).pid;
}

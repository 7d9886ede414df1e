import { type Actor, type ActorOptions, createActor, type InspectionEvent } from 'xstate';
import type { ChildHandle } from '../actors/child/child-handle.js';
import { GuvError } from '../errors.js';
import { processInfo } from '../machines/process/info.js';
import type { ProcessMachine } from '../machines/process/machine.js';
import type { ChartClock, SupervisionContext } from '../machines/process/supervision-context.js';
import type { ProcessInfo, ProcessStatus } from '../types/info.js';
import { chartTimers } from './chart-timers.js';
import { lastExit } from './last-exit.js';
import type { ProcessDefinition } from './process-definition.js';
import { settle } from './settle.js';
import type { LiveTarget, Supervised } from './supervised.js';

export interface SupervisedProcessDeps {
  /** The process chart with its real `child` actor and `publish` action provided. */
  machine: ProcessMachine;
  clock: ChartClock;
  /** The timers its chart's delays run on: the daemon's chart timers unless told (tests). */
  timers?: ActorOptions<ProcessMachine>['clock'];
  /** The handle of the process's live child (the child actor registers it), or null. */
  handle(id: string): ChildHandle | null;
  /** Called after anything the persisted state depends on changed. */
  onChange(): void;
  /** A chart that throws (a bug): the process is kept for inspection, its chart is dead. */
  onChartError(definition: ProcessDefinition, error: unknown): void;
  /** Passed to createActor so the visualiser can watch transitions. */
  inspect?: (event: InspectionEvent) => void;
}

/** Statuses a START or RESTART waits for before answering. */
const SETTLED_AFTER_START: ReadonlySet<ProcessStatus> = new Set([
  'running',
  'paused',
  'restarting',
  'failed',
  'aborted',
  'stopped',
]);
/** Statuses a STOP waits for. */
const RESTING: ReadonlySet<ProcessStatus> = new Set([
  'stopped',
  'failed',
  'aborted',
  'uninitialised',
]);
/** A RESTART's old run is on its way out while the chart is in one of these, restarts unchanged. */
const LEAVING: ReadonlySet<ProcessStatus> = new Set(['running', 'stopping', 'restarting']);

/**
 * A single process behind the Supervised contract: its chart (started here), the user's intent,
 * and requests answered from the chart's snapshots.
 *
 * @example
 * const web = createSupervisedProcess(definition, { machine, clock, handle, onChange, onChartError });
 * await web.start('cli', 30_000); // resolves once it runs, or clearly will not soon
 */
export function createSupervisedProcess(
  definition: ProcessDefinition,
  deps: SupervisedProcessDeps,
): Supervised {
  const actor = startChart(definition, deps);
  const context = (): SupervisionContext => actor.getSnapshot().context;
  const info = (): ProcessInfo => processInfo(context());

  function waitFor(what: string, timeoutMs: number, done: (c: SupervisionContext) => boolean) {
    return settle(actor, (snapshot) => (done(snapshot.context) ? true : undefined), {
      timeoutMs,
      what,
      name: definition.name,
      where: (snapshot) => `status ${snapshot.context.status}`,
    });
  }

  const supervised: Supervised = {
    kind: 'process',
    definition,
    desired: 'stopped',
    get pid() {
      return context().pid;
    },
    chart: { id: definition.id, kind: 'process', name: definition.name, chart: 'process', actor },
    info,
    history: () => context().history,
    workerHistory: () => {
      throw notACluster(definition);
    },
    lastError: () => context().lastError,
    lastRunExit: () => {
      const exit = lastExit(context().history);
      return exit ? { code: exit.code, signal: exit.signal } : null;
    },
    listing: () => ({}),
    workerInfo: () => null,
    units: () => [{ id: definition.id, info: info(), worker: null }],

    async start(by, timeoutMs) {
      supervised.desired = 'running';
      actor.send({ type: 'START', by });
      await waitFor('start', timeoutMs, (c) => SETTLED_AFTER_START.has(c.status));
      return info();
    },
    async stop(by, timeoutMs) {
      supervised.desired = 'stopped';
      deps.onChange();
      actor.send({ type: 'STOP', by });
      await waitFor('stop', timeoutMs, (c) => RESTING.has(c.status));
      return info();
    },
    async restart(by, timeoutMs) {
      const before = context().restarts;
      supervised.desired = 'running';
      actor.send({ type: 'RESTART', by });
      // A RESTART goes through stopping and restarting first (restarts counts up only when the
      // new run begins): wait for the new run, not the old one on its way out.
      await waitFor('restart', timeoutMs, (c) => c.restarts !== before || !LEAVING.has(c.status));
      await waitFor('restart', timeoutMs, (c) => SETTLED_AFTER_START.has(c.status));
      return info();
    },
    reload: async () => {
      throw notACluster(definition);
    },
    resize: async () => {
      throw notACluster(definition);
    },

    liveTargets: () => {
      const handle = deps.handle(definition.id);
      if (!handle) {
        throw new GuvError('GUV_PROCESS_NOT_RUNNING', `${definition.name} is not running`);
      }
      return [childTarget(handle)];
    },
    dispose: () => actor.stop(),
  };
  return supervised;
}

function startChart(definition: ProcessDefinition, deps: SupervisedProcessDeps) {
  const actor: Actor<ProcessMachine> = createActor(deps.machine, {
    input: {
      id: definition.id,
      name: definition.name,
      spec: definition.spec,
      policy: definition.policy,
      timeouts: definition.timeouts,
      clock: deps.clock,
    },
    clock: deps.timers ?? chartTimers,
    ...(deps.inspect ? { inspect: deps.inspect } : {}),
  });
  let lastStatus: ProcessStatus = 'uninitialised';
  actor.subscribe({
    next({ context }) {
      if (context.status === lastStatus) return;
      lastStatus = context.status;
      deps.onChange();
    },
    error: (error) => deps.onChartError(definition, error),
  });
  actor.start();
  return actor;
}

function childTarget(handle: ChildHandle): LiveTarget {
  return {
    worker: null,
    pid: handle.pid,
    send: (event, args) => handle.send(event, args),
    signal: (signal) => handle.signal(signal),
    write: (data) => handle.write(data),
    gc: () => handle.gc(),
    heapdump: (path) => handle.heapdump(path),
  };
}

function notACluster(definition: ProcessDefinition): GuvError {
  return new GuvError(
    'GUV_NOT_A_CLUSTER',
    `${definition.name} is a single process, not a cluster (start it with -i <n>)`,
  );
}

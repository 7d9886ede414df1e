import { type Actor, type ActorOptions, createActor, type InspectionEvent } from 'xstate';
import type { ChildHandle } from '../actors/child/child-handle.js';
import { GuvError } from '../errors.js';
import { processInfo } from '../machines/process/info.js';
import type { ProcessMachine } from '../machines/process/machine.js';
import type { ChartClock, SupervisionContext } from '../machines/process/supervision-context.js';
import {
  DEFAULT_START_WATCH,
  type StartVerdict,
  type StartWatchPolicy,
} from '../machines/start-verdict.js';
import type { ProcessInfo, ProcessStatus, SerializedError } from '../types/info.js';
import { chartTimers } from './chart-timers.js';
import { lastExit } from './last-exit.js';
import type { ProcessDefinition } from './process-definition.js';
import { settle } from './settle.js';
import type { LiveTarget, Supervised } from './supervised.js';
import { trackLastError, watchStart } from './watch-start.js';

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
  /** How long a start waits for its outcome; the defaults unless told (tests). */
  startWatch?: StartWatchPolicy;
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

  let startVerdict: StartVerdict | null = null;

  /** Sends a start (or restart) and waits for its verdict (start-verdict.ts), kept for the answer. */
  async function startAndJudge(what: string, timeoutMs: number, send: () => unknown) {
    const since = deps.clock.now();
    const errors = trackLastError(
      actor,
      (snapshot) => (snapshot as { context: SupervisionContext }).context.lastError,
    );
    try {
      await send();
      await waitFor(what, timeoutMs, (c) => SETTLED_AFTER_START.has(c.status));
      startVerdict = await watchStart(
        actor,
        (deadline) => ({
          entries: context().history.filter((entry) => entry.time >= since),
          status: context().status,
          now: deps.clock.now(),
          deadline,
          lastError: context().lastError ?? (errors.last() as SerializedError | null),
        }),
        deps.startWatch ?? DEFAULT_START_WATCH,
        () => deps.clock.now(),
      );
    } finally {
      errors.stop();
    }
    return info();
  }

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
    updateEnv(env) {
      const spec = { ...supervised.definition.spec, env };
      (supervised as { definition: ProcessDefinition }).definition = {
        ...supervised.definition,
        spec,
      };
      actor.send({ type: 'SPEC.UPDATED', spec });
      deps.onChange();
    },
    desired: 'stopped',
    get pid() {
      return context().pid;
    },
    chart: { id: definition.id, kind: 'process', name: definition.name, chart: 'process', actor },
    info,
    history: () => context().history,
    retiredWorkers: () => [],
    workerHistory: () => {
      throw notACluster(definition);
    },
    lastError: () => context().lastError,
    triggerState: () => ({ cronNextAt: context().cronNextAt, watching: context().watching }),
    lastRunExit: () => {
      const exit = lastExit(context().history);
      return exit ? { code: exit.code, signal: exit.signal } : null;
    },
    listing: () => ({}),
    workerInfo: () => null,
    units: () => [{ id: definition.id, info: info(), worker: null }],

    startVerdict: () => startVerdict,

    async start(by, timeoutMs) {
      supervised.desired = 'running';
      return startAndJudge('start', timeoutMs, () => actor.send({ type: 'START', by }));
    },
    adopt({ pid, startedAt, restarts }) {
      supervised.desired = 'running';
      actor.send({ type: 'ADOPT', pid, startedAt, restarts, by: 'daemon' });
      deps.onChange();
    },
    adoptExit({ restarts, code, signal }) {
      supervised.desired = 'running';
      actor.send({ type: 'ADOPT.EXITED', restarts, code, signal, startedAt: null, by: 'daemon' });
      deps.onChange();
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
      // A RESTART goes through stopping and restarting first (restarts counts up only when the
      // new run begins): wait for the new run, not the old one on its way out.
      return startAndJudge('restart', timeoutMs, () => {
        actor.send({ type: 'RESTART', by });
        return waitFor(
          'restart',
          timeoutMs,
          (c) => c.restarts !== before || !LEAVING.has(c.status),
        );
      });
    },
    // pm2 reloads a single process by restarting it: there is no second one to hand over to.
    reload: (timeoutMs) => supervised.restart('cli', timeoutMs),
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
      ...(definition.triggers ? { triggers: definition.triggers } : {}),
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

import { existsSync } from 'node:fs';
import type { Actor } from 'xstate';
import { GuvError } from '../errors.js';
import type { HistoryEntry } from '../machines/history.js';
import type { daemonMachine } from '../machines/daemon/daemon-machine.js';
import type { RpcHandler } from '../rpc/server.js';
import type { ProcessInfo } from '../types/info.js';
import { configValue, type DaemonConfig } from './daemon-config.js';
import type { EventHub } from './event-hub.js';
import type { GuvHome } from './home.js';
import type { OutputRouter } from './output-router.js';
import type { createCpuMeter } from './proc-stats.js';
import {
  definitionFromRequest,
  defaultName,
  type ProcessDefinition,
  uniqueName,
} from './process-definition.js';
import { contextOf, info, type Managed, type ProcessTable } from './process-table.js';
import { createClusterMethods, type WorkerSummary, workerSummaries } from './cluster-methods.js';
import { createLiveMethods } from './live-methods.js';
import { appStartRequest } from './app-start.js';
import type { AppService } from './app-service.js';
import { parseStartRequest } from './start-request.js';
import { objectParams, stringParam } from '../rpc/params.js';
import type { Observability } from './observability.js';
import type { WebUi } from './web-ui.js';
import { settle } from './settle.js';

export interface RpcMethodDeps {
  table: ProcessTable;
  config: DaemonConfig;
  home: GuvHome;
  output: OutputRouter;
  cpu: ReturnType<typeof createCpuMeter>;
  observability: Observability;
  hub: EventHub;
  daemonActor: Actor<typeof daemonMachine>;
  newId(): string;
  cpuCount: number;
  addProcess(definition: ProcessDefinition): Managed;
  /** Writes the saved process list now. */
  persist(): Promise<void>;
  /** Installed apps: `start <app>` runs one. */
  apps?: AppService;
  webUi: WebUi;
  requestExit(): void;
}

/** One row of `guv list`: the bus's ProcessInfo plus live figures. */
export interface ProcessSummary extends ProcessInfo {
  /** CPU % since the previous `list` (100 = one core). */
  cpu: number | null;
  /** Resident memory in bytes. */
  memory: number | null;
  /** Ms since the current run started, or null. */
  uptime: number | null;
  instances: number | null;
  /** 'cluster' for a cluster manager with its workers. */
  kind: 'process' | 'cluster';
  /** Clusters only: the chart's state (starting, ready, online, reloading…). */
  state?: string;
  /** Clusters only: every worker, serving ones by slot, then a reload's new one and retiring ones. */
  workers?: WorkerSummary[];
  /** Answers to start/stop/restart only, for a single process: how its last run ended, if it did. */
  lastExit?: { code: number | null; signal: string | null } | null;
}

export type { WorkerSummary };

/** The daemon's RPC methods. Every parameter is validated here, at the boundary. */
export function createRpcMethods(deps: RpcMethodDeps): Record<string, RpcHandler> {
  const { table, config } = deps;
  const timeout = config.requestTimeoutMs;

  function summary(managed: Managed): ProcessSummary {
    const processInfo = info(managed);
    const figures =
      processInfo.pid === null ? null : deps.cpu.measure(processInfo.pid, processInfo.startedAt);
    return {
      ...processInfo,
      cpu: figures?.cpu ?? null,
      memory: figures?.memory ?? null,
      uptime:
        processInfo.startedAt === null || processInfo.pid === null
          ? null
          : Date.now() - processInfo.startedAt,
      instances: managed.definition.instances,
      kind: managed.kind,
      ...(managed.kind === 'cluster'
        ? { state: managed.state(), workers: workerSummaries(managed, deps.cpu) }
        : {}),
    };
  }

  function target(params: unknown): Managed {
    return table.get(stringParam(objectParams(params), 'target'));
  }

  async function waitForDaemon(state: string, what: string): Promise<void> {
    await settle(deps.daemonActor, (s) => s.value === state || undefined, {
      timeoutMs: timeout * 2,
      what,
      name: 'the daemon',
      where: (s) => `state ${String(s.value)}`,
    });
    const error = deps.daemonActor.getSnapshot().context.lastError;
    if (error) throw new GuvError('GUV_DAEMON_OPERATION_FAILED', error.message);
  }

  const methods: Record<string, RpcHandler> = {
    list: () => table.all().map(summary),

    start: async (params) => {
      const parsed = parseStartRequest(params);
      const existing = table.byName(parsed.target) ?? table.byId(parsed.target);
      if (existing) return summaryAfter(await table.start(existing, 'cli', timeout), existing);
      const app = deps.apps ? await appStartRequest(deps.apps, parsed) : null;
      const request = app?.request ?? parsed;
      if (
        !request.target.includes('/') &&
        !/\.[a-z]+$/i.test(request.target) &&
        request.cwd === null
      ) {
        throw new GuvError('GUV_PROCESS_NOT_FOUND', `no process or app called "${request.target}"`);
      }
      const name = request.name ?? uniqueName(defaultName(request.target), table.nameTaken);
      if (request.name !== null && table.nameTaken(request.name)) {
        throw new GuvError('GUV_NAME_TAKEN', `a process called "${request.name}" exists already`);
      }
      if ((request.user !== null || request.group !== null) && process.getuid?.() !== 0) {
        throw new GuvError('GUV_NOT_ROOT', '--user and --group need a daemon running as root');
      }
      const definition = {
        ...definitionFromRequest(request, deps.newId(), name, deps.cpuCount),
        app: app?.app ?? null,
      };
      // Otherwise a typo becomes a process that crash-loops until it aborts.
      if (!existsSync(definition.spec.script)) {
        throw new GuvError('GUV_SCRIPT_NOT_FOUND', `no such file: ${definition.spec.script}`);
      }
      if (definition.instances !== null && definition.spec.interpreter !== 'node') {
        throw new GuvError(
          'GUV_BAD_ARGUMENT',
          'a cluster (-i) runs a Node script, not an executable',
        );
      }
      const managed = deps.addProcess(definition);
      return summaryAfter(await table.start(managed, 'cli', timeout), managed);
    },

    stop: async (params) => {
      // Resolve once: a pid no longer finds the process after it stopped.
      const managed = target(params);
      return summaryAfter(await table.stop(managed, 'cli', timeout), managed);
    },
    restart: async (params) => {
      const managed = target(params);
      return summaryAfter(await table.restart(managed, 'cli', timeout), managed);
    },
    remove: async (params) => {
      const managed = target(params);
      const removed = await table.remove(managed, 'cli', timeout);
      await deps.persist();
      await deps.output.close(managed.definition.id);
      return removed;
    },

    info: (params) => {
      const managed = target(params);
      return {
        ...summary(managed),
        definition: managed.definition,
        desired: managed.desired,
        metrics: deps.observability.history.latest(managed.definition.id),
        lastException: deps.observability.exceptions.last(managed.definition.id),
        lastExit: lastExit(
          managed.kind === 'cluster' ? managed.history() : contextOf(managed).history,
        ),
        lastError: managed.kind === 'cluster' ? managed.lastError() : contextOf(managed).lastError,
        logFiles: logFilesOf(managed),
      };
    },

    /** `{ target, worker? }`: a process's history, a cluster's, or (with `worker`) a worker slot's. */
    why: (params) => {
      const p = objectParams(params);
      const managed = target(p);
      let name = managed.definition.name;
      let history: HistoryEntry[];
      let id = managed.definition.id;
      if (managed.kind === 'process') history = contextOf(managed).history;
      else if (p.worker === undefined || p.worker === null) history = managed.history();
      else {
        if (typeof p.worker !== 'number' || !Number.isInteger(p.worker) || p.worker < 0) {
          throw new GuvError('GUV_BAD_ARGUMENT', '"worker" must be a worker index (0, 1, …)');
        }
        const worker = managed.workerHistory(p.worker);
        history = worker.history;
        id = worker.id;
        name = `${name} worker ${p.worker}`;
      }
      // Each restart names the uncaught exception that caused it, when there was one.
      return { name, history, lines: deps.observability.why(id, history) };
    },

    metrics: async (params) => {
      const p = objectParams(params);
      if (p.format !== undefined && p.format !== 'openmetrics' && p.format !== 'prometheus') {
        throw new GuvError('GUV_BAD_ARGUMENT', 'format must be "openmetrics" or "prometheus"');
      }
      return {
        text: await deps.observability.metricsText(
          p.format === 'prometheus' ? 'prometheus' : 'openmetrics',
        ),
      };
    },
    exceptions: (params) => {
      const managed = target(params);
      const ids =
        managed.kind === 'process' ? [managed.definition.id] : managed.workers().map((w) => w.id);
      const exceptions = ids
        .flatMap((id) => deps.observability.exceptions.list(id))
        .sort((a, b) => a.time - b.time);
      return { name: managed.definition.name, exceptions };
    },

    logFiles: (params) => {
      const p = objectParams(params);
      if (p.target === undefined || p.target === null) {
        return table.all().map((m) => ({ name: m.definition.name, files: logFilesOf(m) }));
      }
      const managed = target(p);
      return [{ name: managed.definition.name, files: logFilesOf(managed) }];
    },

    ui: async () => ({ url: await deps.webUi.url() }),
    config: (params) => {
      const p = objectParams(params);
      return { value: configValue(config, typeof p.path === 'string' ? p.path : null) };
    },

    dump: async () => {
      deps.daemonActor.send({ type: 'DUMP' });
      await waitForDaemon('running', 'dump');
      return { file: deps.home.processesFile, processes: table.all().length };
    },
    restore: async () => {
      deps.daemonActor.send({ type: 'RESTORE' });
      await waitForDaemon('running', 'restore');
      return { processes: table.all().length };
    },
    kill: async () => {
      deps.daemonActor.send({ type: 'KILL' });
      await waitForDaemon('exited', 'kill');
      deps.requestExit();
      return { ok: true };
    },
  };
  Object.assign(
    methods,
    createClusterMethods({ table, cpu: deps.cpu, timeoutMs: timeout, target, summary }),
    createLiveMethods({
      target,
      logsDir: deps.home.logs,
      summariseHeap: (path, top) => deps.observability.summariseHeap(path, top),
    }),
  );
  return {
    ...methods,
    status: () => ({
      pid: process.pid,
      state: deps.daemonActor.getSnapshot().value,
      processes: table.all().length,
      memory: process.memoryUsage(),
    }),
  };

  /** Answers a start/stop/restart once what the user now wants is on disk: it survives a daemon crash. */
  async function summaryAfter(_settled: ProcessInfo, managed: Managed): Promise<ProcessSummary> {
    await deps.persist();
    if (managed.kind === 'cluster') return summary(managed);
    const exit = lastExit(contextOf(managed).history);
    return {
      ...summary(managed),
      lastExit: exit ? { code: exit.code, signal: exit.signal } : null,
    };
  }

  /** A process's log files; a cluster's manager files, then each worker slot's. */
  function logFilesOf(managed: Managed): string[] {
    const name = managed.definition.name;
    const files = deps.output.files(name);
    if (managed.kind === 'process') return files;
    const slots = managed.definition.instances ?? 0;
    for (let index = 0; index < slots; index++) files.push(...deps.output.workerFiles(name, index));
    return files;
  }
}

/** The newest transition caused by an exit: its time, code and signal (`guv info`). */
function lastExit(history: readonly HistoryEntry[]) {
  for (let i = history.length - 1; i >= 0; i--) {
    const entry = history[i]!;
    if (entry.cause.event === 'CHILD.EXIT') {
      return {
        time: entry.time,
        code: entry.cause.code ?? null,
        signal: entry.cause.signal ?? null,
        status: entry.to,
      };
    }
  }
  return null;
}

import { packageVersion } from '../build-output.js';
import { existsSync } from 'node:fs';
import type { Actor } from 'xstate';
import { GuvError } from '../errors.js';
import type { HistoryEntry } from '../machines/history.js';
import type { daemonMachine } from '../machines/daemon/daemon-machine.js';
import type {
  AppMethodName,
  DaemonMethodName,
  MethodHandlers,
  RemoteMethodName,
} from '../protocol/methods.js';
import type { ProcessDetails, ProcessSummary, WorkerSummary } from '../protocol/replies.js';
import type { RpcContext } from '../rpc/server.js';
import type { ProcessInfo } from '../types/info.js';
import { configValue, type DaemonConfig } from '../daemon/daemon-config.js';
import { emptyLogFile } from '../logs/empty-log-file.js';
import { truncateUserLogFile } from '../logs/user-log-file.js';
import type { EventHub } from '../daemon/event-hub.js';
import type { GuvHome } from '../protocol/home.js';
import type { OutputRouter } from '../logs/output-router.js';
import type { createCpuMeter } from '../procfs/proc-stats.js';
import {
  definitionFromRequest,
  defaultName,
  type ProcessDefinition,
  uniqueName,
} from '../supervision/process-definition.js';
import type { ProcessTable } from '../supervision/process-table.js';
import type { RunUnit, Supervised } from '../supervision/supervised.js';
import { lastExit } from '../supervision/last-exit.js';
import { createClusterMethods, workerSummaries } from './cluster-methods.js';
import { createLiveMethods } from './live-methods.js';
import { appStartRequest } from '../apps/service/app-start.js';
import { resolveProgram } from '../supervision/resolve-program.js';
import type { AppService } from '../apps/service/app-service.js';
import { parseStartRequest } from '../supervision/start-request.js';
import { objectParams, stringParam } from '../rpc/params.js';
import type { Observability } from '../daemon/observability.js';
import type { WebUi } from '../daemon/web-ui.js';
import { runDaemonOperation } from '../daemon/daemon-operation.js';
import { describeStart, startSucceeded } from '../supervision/start-words.js';
import { startExisting, updatedEnv } from './start-existing.js';
import { systemFigures } from './system-figures.js';

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
  addProcess(definition: ProcessDefinition): Supervised;
  /** Writes the saved process list now. */
  persist(): Promise<void>;
  /** Installed apps: `start <app>` runs one. */
  apps?: AppService;
  webUi: WebUi;
  requestExit(): void;
  /** Exits leaving the keeper's children running (`guv upgrade`); how many it leaves. */
  requestHandover(): number;
}

export type { ProcessSummary, WorkerSummary };

type RpcMethodName = Exclude<DaemonMethodName, AppMethodName | RemoteMethodName>;

/** The daemon's RPC methods. Every parameter is validated here, at the boundary. */
export function createRpcMethods(deps: RpcMethodDeps): MethodHandlers<RpcMethodName, RpcContext> {
  const { table, config } = deps;
  const timeout = config.requestTimeoutMs;

  function summary(managed: Supervised): ProcessSummary {
    const processInfo = managed.info();
    const { state, workers } = managed.listing();
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
      ...(state !== undefined ? { state } : {}),
      ...(workers ? { workers: workerSummaries(workers, deps.cpu) } : {}),
    };
  }

  function target(params: unknown): Supervised {
    return table.get(stringParam(objectParams(params), 'target'));
  }

  const methods = {
    list: () => table.all().map(summary),

    start: async (params) => {
      const parsed = parseStartRequest(params);
      const existing = table.byName(parsed.target) ?? table.byId(parsed.target);
      if (existing) return startedAfter(await startExisting(existing, parsed, timeout), existing);
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
      const cwd = request.cwd ?? process.cwd();
      // A root child never runs a command from a folder another user controls.
      const trust = { owners: process.getuid?.() === 0 && request.user === null ? [0] : null };
      const program = resolveProgram(request, cwd, trust);
      const definition = {
        ...definitionFromRequest(request, deps.newId(), name, deps.cpuCount, program),
        app: app?.app ?? null,
      };
      // Otherwise a typo becomes a process that crash-loops until it aborts.
      if (!existsSync(definition.spec.script)) {
        throw new GuvError('GUV_SCRIPT_NOT_FOUND', `no such file: ${definition.spec.script}`);
      }
      // The resident set comes with the node wrapper's heartbeat: nothing else would report it.
      if (definition.triggers?.maxMemoryBytes && definition.spec.interpreter !== 'node') {
        throw new GuvError(
          'GUV_BAD_ARGUMENT',
          `--max-memory-restart needs a Node script: guv reads the memory from its node wrapper's heartbeat (${definition.spec.interpreter} has none)`,
        );
      }
      if (definition.instances !== null && definition.spec.interpreter !== 'node') {
        throw new GuvError(
          'GUV_BAD_ARGUMENT',
          'a cluster (-i) runs a Node script, not an executable',
        );
      }
      // --inspect-brk would go to bash or python as one of their own flags.
      if (request.debug && definition.spec.interpreter !== 'node') {
        throw new GuvError('GUV_BAD_ARGUMENT', '-d (debug) runs a Node script, not an executable');
      }
      const managed = deps.addProcess(definition);
      return startedAfter(await managed.start('cli', timeout), managed);
    },

    stop: async (params) => {
      // Resolve once: a pid no longer finds the process after it stopped.
      const managed = target(params);
      return summaryAfter(await managed.stop('cli', timeout), managed);
    },
    restart: async (params) => {
      const managed = target(params);
      const env = updatedEnv(params);
      if (env) managed.updateEnv(env);
      return startedAfter(await managed.restart('cli', timeout), managed);
    },
    remove: async (params) => {
      const managed = target(params);
      const removed = await table.remove(managed, 'cli', timeout);
      await deps.persist();
      await deps.output.close(managed.definition.id);
      return removed;
    },

    info: (params) => {
      const query = stringParam(objectParams(params), 'target');
      const worker = table.has(query) || table.byName(query) ? null : findWorker(query);
      if (worker) return workerDetails(worker.managed, worker.unit);
      const managed = table.get(query);
      return {
        ...summary(managed),
        definition: managed.definition,
        desired: managed.desired,
        metrics: deps.observability.history.latest(managed.definition.id),
        lastException: deps.observability.exceptions.last(managed.definition.id),
        lastExit: lastExit(managed.history()),
        lastError: managed.lastError(),
        logFiles: logFilesOf(managed),
        ...managed.triggerState(),
      };
    },

    /** `{ target, worker? }`: a process's history, a cluster's, or (with `worker`) a worker slot's. */
    why: (params) => {
      const p = objectParams(params);
      const managed = target(p);
      let name = managed.definition.name;
      let history: HistoryEntry[];
      let id = managed.definition.id;
      let retired = managed.retiredWorkers();
      if (p.worker === undefined || p.worker === null) history = managed.history();
      else {
        if (typeof p.worker !== 'number' || !Number.isInteger(p.worker) || p.worker < 0) {
          throw new GuvError('GUV_BAD_ARGUMENT', '"worker" must be a worker index (0, 1, …)');
        }
        const worker = managed.workerHistory(p.worker);
        history = worker.history;
        id = worker.id;
        name = `${name} worker ${p.worker}`;
        retired = retired.filter((r) => r.index === p.worker);
      }
      // Each restart names the uncaught exception that caused it, when there was one; then how
      // each retired worker ended.
      const ended = retired.flatMap((worker) => [
        `worker ${worker.index} (${worker.id}) retired; its last transitions:`,
        ...deps.observability.why(worker.id, worker.history).map((line) => `  ${line}`),
      ]);
      const own = deps.observability.why(id, history);
      // A slot's retired workers came before its current one.
      const lines =
        p.worker === undefined || p.worker === null ? [...own, ...ended] : [...ended, ...own];
      return { name, history, lines };
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
      const exceptions = managed
        .units()
        .map((unit) => unit.id)
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

    flush: async (params) => {
      const p = objectParams(params);
      const all = p.target === undefined || p.target === null;
      const files: string[] = [];
      for (const managed of all ? table.all() : [target(p)]) {
        // Its writers finish what they hold first, and reopen the emptied files on the next line.
        await deps.output.close(managed.definition.id);
        for (const file of logFilesOf(managed))
          if (emptyLogFile(file, config.logs.keep)) files.push(file);
        const { spec, logs } = managed.definition;
        for (const file of [logs?.outFile, logs?.errorFile]) {
          if (!file) continue;
          await truncateUserLogFile(file, { user: spec.user, group: spec.group });
          files.push(file);
        }
      }
      return { files };
    },

    ui: async () => ({ url: await deps.webUi.url() }),
    config: (params) => {
      const p = objectParams(params);
      return { value: configValue(config, typeof p.path === 'string' ? p.path : null) };
    },

    dump: async () => {
      await runDaemonOperation(deps.daemonActor, 'DUMP', timeout * 2);
      return { file: deps.home.processesFile, processes: table.all().length };
    },
    restore: async () => {
      await runDaemonOperation(deps.daemonActor, 'RESTORE', timeout * 2);
      return { processes: table.all().length };
    },
    kill: async () => {
      try {
        await runDaemonOperation(deps.daemonActor, 'KILL', timeout * 2);
      } finally {
        // Once asked to stop, the daemon exits even if stopping went wrong: a finished chart serves nothing.
        deps.requestExit();
      }
      return { ok: true as const };
    },
    handover: async () => ({ kept: deps.requestHandover() }),
  } satisfies Partial<MethodHandlers<RpcMethodName, RpcContext>>;
  return {
    ...methods,
    ...createClusterMethods({
      timeoutMs: timeout,
      target,
      summary,
      answer: (managed) => startedAfter(managed.info(), managed),
    }),
    ...createLiveMethods({
      target,
      logsDir: deps.home.logs,
      summariseHeap: (path, top) => deps.observability.summariseHeap(path, top),
    }),
    status: () => ({
      pid: process.pid,
      version: packageVersion(),
      uptimeSeconds: Math.round(process.uptime()),
      home: { socket: deps.home.socket, state: deps.home.state, logs: deps.home.logs },
      state: deps.daemonActor.getSnapshot().value,
      processes: table.all().length,
      memory: process.memoryUsage(),
      // Optional listeners: the daemon runs without them, `guv info` says why one is down.
      listeners: { metrics: deps.observability.metricsStatus(), web: deps.webUi.status() },
      system: systemFigures(),
    }),
  };

  /** Answers a start/stop/restart once what the user now wants is on disk: it survives a daemon crash. */
  async function summaryAfter(_settled: ProcessInfo, managed: Supervised): Promise<ProcessSummary> {
    await deps.persist();
    const exit = managed.lastRunExit();
    return { ...summary(managed), ...(exit !== undefined ? { lastExit: exit } : {}) };
  }

  /** A start or restart's answer: the summary with the judged outcome, in words. */
  async function startedAfter(settled: ProcessInfo, managed: Supervised): Promise<ProcessSummary> {
    const answer = await summaryAfter(settled, managed);
    const verdict = managed.startVerdict();
    if (!verdict) return answer;
    const text = describeStart(managed.definition.name, verdict);
    return { ...answer, outcome: { ...verdict, text, ok: startSucceeded(verdict) } };
  }

  /** A running worker named by its id (`<cluster id>.<slot>`), name (`<cluster>#<slot>`) or pid. */
  function findWorker(query: string): { managed: Supervised; unit: RunUnit } | null {
    for (const managed of table.all()) {
      if (managed.definition.instances === null) continue;
      for (const unit of managed.units()) {
        const names = [unit.id, unit.info.name, `${managed.definition.name}#${unit.worker}`];
        if (names.includes(query) || (unit.info.pid !== null && String(unit.info.pid) === query))
          return { managed, unit };
      }
    }
    return null;
  }

  function workerDetails(managed: Supervised, unit: RunUnit): ProcessDetails {
    const { info } = unit;
    const index = unit.worker ?? 0;
    const figures = info.pid === null ? null : deps.cpu.measure(info.pid, info.startedAt);
    return {
      ...info,
      cpu: figures?.cpu ?? null,
      memory: figures?.memory ?? null,
      uptime: info.startedAt === null || info.pid === null ? null : Date.now() - info.startedAt,
      instances: null,
      kind: 'process',
      definition: managed.definition,
      desired: managed.desired,
      metrics: deps.observability.history.latest(unit.id),
      lastException: deps.observability.exceptions.last(unit.id),
      lastExit: lastExit(managed.workerHistory(index).history),
      lastError: null,
      logFiles: deps.output.workerFiles(managed.definition.name, index),
      worker: { cluster: managed.definition.name, clusterId: managed.definition.id, index },
      ...managed.triggerState(),
    };
  }

  /** A process's log files; a cluster's manager files, then each worker slot's. */
  function logFilesOf(managed: Supervised): string[] {
    const name = managed.definition.name;
    const files = deps.output.files(name);
    const slots = managed.definition.instances ?? 0;
    for (let index = 0; index < slots; index++) files.push(...deps.output.workerFiles(name, index));
    return files;
  }
}

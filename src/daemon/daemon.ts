import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { rm } from '../fs/async-fs.js';
import { type Actor, createActor, fromPromise } from 'xstate';
// Ids name processes, they guard nothing: the non-secure generator spares the daemon node:crypto
// (~2 MiB resident).
import { nanoid } from 'nanoid/non-secure';
import { createBus } from '../bus/bus.js';
import { createChildLogic } from '../actors/child/child-actor.js';
import { ClusterSupervisor } from '../cluster/cluster-supervisor.js';
import { daemonMachine } from '../machines/daemon/daemon-machine.js';
import { processMachine } from '../machines/process/machine.js';
import { serializeError } from '../machines/process/serialize-error.js';
import { createRpcServer, type RpcServer } from '../rpc/server.js';
import { createChartRegistry } from '../inspect/registry.js';
import { createWebUi } from './web-ui.js';
import { afterBoot } from './after-boot.js';
import { answerConfig, handleChildMessage } from './child-messages.js';
import { createObservability } from './observability.js';
import type { GuvHome } from './home.js';
import { createAppMethods } from './app-methods.js';
import { createAppService } from './app-service.js';
import type { DaemonConfig } from './daemon-config.js';
import { createDroppedMessages } from './dropped-messages.js';
import { createEventHub } from './event-hub.js';
import { stopLeftoverChildren } from './leftovers.js';
import { createOutputRouter } from './output-router.js';
import { createCpuMeter } from './proc-stats.js';
import { readProcessStartTime } from './process-identity.js';
import { createProcessTable, info, type Managed, pidOf } from './process-table.js';
import { createRpcMethods } from './rpc-methods.js';
import { createStateSaver, readSavedState, type SavedState } from './saved-state.js';
import { settle } from './settle.js';
import type { DaemonLogger } from './daemon-log.js';
import { publishedLog } from './published-log.js';
import type { BusEvent } from '../bus/events.js';
import type { LogRecord } from '../types/info.js';
import type { LogAccess } from '../logs/index.js';
import type { ProcessDefinition } from './process-definition.js';

export interface DaemonOptions {
  home: GuvHome;
  config: DaemonConfig;
  log: DaemonLogger;
  /** Modes and group of log files and folders (guv.json `logGroup`); default private. */
  logAccess?: LogAccess;
  /** Called once the daemon has stopped everything and should exit. */
  onExit(code: number): void;
}

const clock = { now: () => Date.now() };

const DAEMON_LOG_LEVELS = {
  'daemon:log:debug': 'debug',
  'daemon:log:info': 'info',
  'daemon:log:warn': 'warn',
  'daemon:log:error': 'error',
} as const;

/** The composition root: wires the charts to the real world and opens the local socket. */
export function createDaemon(options: DaemonOptions) {
  const { home, config } = options;
  const bus = createBus({
    onListenerError: (error, type) => log.error({ err: error, type }, 'a bus listener threw'),
  });
  const hub = createEventHub(bus);
  // Every line of daemon.log is also a daemon:log:* event, published once.
  const log = publishedLog(options.log, hub);
  // Every chart is tracked for the visualiser; the registry does no work while nobody watches.
  const registry = createChartRegistry();
  const cpu = createCpuMeter();
  // A listener the daemon can run without (metrics, web UI) that cannot open: logged, published.
  const reportListener = (level: 'warn' | 'error', message: string, error: unknown) => {
    log[level]({ err: error }, message);
  };
  const observability = createObservability({
    home,
    log,
    metricsPort: config.metricsPort,
    reportListener,
    metered: () =>
      table.all().flatMap((managed) => {
        if (managed.kind === 'process') return [{ id: managed.definition.id, info: info(managed) }];
        const name = managed.definition.name;
        return managed.workers().map((worker) => ({
          id: worker.id,
          info: { ...worker, name, script: managed.definition.spec.script },
          worker: worker.index,
        }));
      }),
  });
  // Uncaught exceptions are kept (bounded, persisted) for `guv exceptions` and `guv why`.
  // A fatality is published right after its exception: it marks that exception unhandled.
  bus.on('process:uncaughtexception', (processInfo, error) =>
    observability.exception(processInfo.id, processInfo.pid, error, true),
  );
  bus.on('worker:uncaughtexception', (_cluster, worker, error) =>
    observability.exception(worker.id, worker.pid, error, true),
  );
  bus.on('process:fatality', (processInfo) => observability.fatal(processInfo.id));
  bus.on('worker:fatality', (_cluster, worker) => observability.fatal(worker.id));
  let cleanShutdown = false;
  // What a child sends is untrusted: malformed messages are dropped, and said so at most once a
  // minute per child, so that a child cannot fill daemon.log.
  const dropped = createDroppedMessages({
    report: ({ id, dropped: count, total, reason }) => {
      const name = table.byId(id)?.definition.name ?? null;
      log.warn(
        { process: name, id, dropped: count, total, reason },
        'dropped messages from a child',
      );
    },
  });

  const output = createOutputRouter({
    logsDir: home.logs,
    hub,
    maxBytes: config.logs.maxBytes,
    keep: config.logs.keep,
    access: options.logAccess,
    infoOf: (id) => {
      const managed = table.byId(id);
      return managed ? info(managed) : null;
    },
    workerInfoOf: (clusterId, workerId) => {
      const cluster = table.byId(clusterId);
      if (cluster?.kind !== 'cluster') return null;
      const worker = cluster.workerInfo(workerId);
      return worker ? [cluster.info(), worker] : null;
    },
    onError: (error) => log.error({ err: error }, 'log file write failed'),
  });

  const childLogic = createChildLogic({
    onOutput(id, stream, chunk) {
      const managed = table.byId(id);
      return managed ? output.output(id, managed.definition.name, stream, chunk) : undefined;
    },
    onMessage(id, message) {
      const managed = table.byId(id);
      if (managed?.kind !== 'process') return;
      handleChildMessage(
        message,
        id,
        {
          log: (level, text) => output.record(id, managed.definition.name, level, text),
          config: (requestId, key) => {
            const processInfo = info(managed);
            hub.emit('process:config:request', processInfo, key);
            const { value, error } = answerConfig(managed.definition, key);
            managed.handle?.respondConfig(requestId, value, error);
            hub.emit('daemon:config:response', processInfo, key, value);
          },
          message: (data) => {
            if (hub.isWatched('process:msg')) hub.emit('process:msg', info(managed), data);
          },
        },
        observability,
      );
    },
    onDropped: (id, reason) => dropped.drop(id, reason),
    register(id, handle) {
      const managed = table.byId(id);
      if (managed?.kind === 'process') managed.handle = handle;
      saver.schedule();
    },
    unregister(id) {
      const managed = table.byId(id);
      if (managed?.kind === 'process') managed.handle = null;
    },
  });

  const table = createProcessTable({
    machine: processMachine.provide({
      actors: { child: childLogic },
      actions: { publish: (_, event) => hub.emitEvent(event) },
    }),
    clock,
    inspect: registry.inspect,
    onAdded: (managed) =>
      registry.track({
        id: managed.definition.id,
        kind: 'process',
        name: managed.definition.name,
        chart: 'process',
        actor: managed.actor,
      }),
    onRemoved: (managed) => {
      registry.untrack(managed.definition.id);
      observability.forget(managed.definition.id);
      dropped.forget(managed.definition.id);
    },
    createCluster: (definition) =>
      new ClusterSupervisor(definition, {
        clock,
        manager: { onDropped: (reason) => dropped.drop(definition.id, reason) },
        inspect: registry.inspect,
        onChart: (cluster, actor) =>
          registry.track({
            id: cluster.id,
            kind: 'cluster',
            name: cluster.definition.name,
            chart: 'cluster',
            actor,
            children: { kind: 'worker', chart: 'worker' },
          }),
        publish: (event) => hub.emitEvent(event),
        onManagerOutput: (cluster, stream, chunk) =>
          output.clusterOutput(
            { kind: 'cluster', id: cluster.id, name: cluster.definition.name },
            stream,
            chunk,
          ),
        onManagerLog: (cluster, level, message) =>
          output.clusterRecord(
            { kind: 'cluster', id: cluster.id, name: cluster.definition.name },
            level,
            message,
          ),
        onWorkerOutput: (cluster, workerId, stream, data) =>
          output.clusterOutput(workerSource(cluster, workerId), stream, data),
        onWorkerMessage: handleWorkerMessage,
        onChange: () => saver.schedule(),
        onChartError: (definition, error) =>
          log.error({ err: error, process: definition.name }, 'a cluster chart failed'),
      }),
    onChange: () => saver.schedule(),
    onChartError: (definition, error) =>
      log.error({ err: error, process: definition.name }, 'a process chart failed'),
  });

  function workerSource(cluster: ClusterSupervisor, workerId: string) {
    const index = Number(workerId.slice(cluster.id.length + 1).split('.')[0]);
    return {
      kind: 'worker' as const,
      id: cluster.id,
      name: cluster.definition.name,
      workerId,
      index,
    };
  }

  function handleWorkerMessage(
    cluster: ClusterSupervisor,
    workerId: string,
    message: Parameters<typeof handleChildMessage>[0],
  ): void {
    handleChildMessage(
      message,
      workerId,
      {
        log: (level, text) => output.clusterRecord(workerSource(cluster, workerId), level, text),
        config: (requestId, key) => {
          const { value, error } = answerConfig(cluster.definition, key);
          cluster.respondConfig(workerId, requestId, key, value, error);
        },
        message: (data) => {
          if (!hub.isWatched('worker:msg')) return;
          const worker = cluster.workerInfo(workerId);
          if (worker) hub.emit('worker:msg', cluster.info(), worker, data);
        },
      },
      observability,
    );
  }

  const saveFailed = (error: unknown) =>
    log.error({ err: error }, 'saving the process list failed');
  const saver = createStateSaver(home.processesFile, snapshotState, saveFailed);

  function snapshotState(): SavedState {
    return {
      version: 1,
      cleanShutdown,
      processes: table.all().map((managed) => {
        const pid = pidOf(managed);
        return {
          definition: managed.definition,
          desired: managed.desired,
          pid,
          pidStartTime: pid === null ? null : readProcessStartTime(pid),
          restarts: info(managed).restarts,
        };
      }),
    };
  }

  function addProcess(definition: ProcessDefinition): Managed {
    return table.add(definition);
  }

  async function restoreFromDisk(mode: 'boot' | 'request'): Promise<void> {
    const read = await readSavedState(home.processesFile);
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
      else if (!config.autoresume) return;
    }
    const starts: Promise<unknown>[] = [];
    for (const entry of saved.processes) {
      if (table.has(entry.definition.id) || table.nameTaken(entry.definition.name)) continue;
      const managed = addProcess(entry.definition);
      // A process saved as stopped comes back `stopped`, not `uninitialised`.
      const settle =
        entry.desired === 'running'
          ? table.start(managed, 'restore', config.requestTimeoutMs)
          : table.stop(managed, 'restore', config.requestTimeoutMs);
      starts.push(settle.catch(() => {}));
    }
    await Promise.all(starts);
  }

  async function stopAll(): Promise<void> {
    await Promise.allSettled(
      table.all().map((managed) =>
        table.stop(managed, 'daemon', config.requestTimeoutMs).then(() => {
          // A process stopped by the daemon's exit is still wanted after the next start.
        }),
      ),
    );
  }

  const daemonActor: Actor<typeof daemonMachine> = createActor(
    daemonMachine.provide({
      actors: {
        restoreProcesses: fromPromise(() => restoreFromDisk(bootDone ? 'request' : 'boot')),
        dumpProcesses: fromPromise(() => saver.flush()),
        stopAllProcesses: fromPromise(async () => {
          const wanted = new Map(table.all().map((m) => [m.definition.id, m.desired] as const));
          await stopAll();
          // Keep what the user wanted running, so the next daemon brings it back.
          for (const managed of table.all())
            managed.desired = wanted.get(managed.definition.id) ?? 'stopped';
          cleanShutdown = true;
          // Everything is stopped: a list that cannot be saved must not turn the exit into a crash.
          await saver.flush().catch(saveFailed);
        }),
      },
      actions: { publish: (_, event) => publishDaemonEvent(event) },
    }),
    // Restoring is always attempted at boot: a daemon that died must bring back its processes.
    { input: { autoresume: true, dumpOnExit: false, clock }, inspect: registry.inspect },
  );
  registry.track({
    id: 'daemon',
    kind: 'daemon',
    name: 'guv',
    chart: 'daemon',
    actor: daemonActor,
  });
  const webUi = createWebUi({ registry, bus, reportListener });
  // Older versions kept one web token for ever; it is now per daemon start, in memory only.
  void rm(join(home.config, 'web-token'), { force: true }).catch(() => {});
  let bootDone = false;
  daemonActor.subscribe({
    error: (error) => log.error({ err: error }, 'the daemon chart failed'),
  });

  const apps = createAppService({
    appsRoot: home.apps,
    ownFolders: [home.apps, home.state],
    registryFile: home.appsFile,
    clock,
    publish: (event) => hub.emitEvent(event),
    onChartError: (name, error) => log.error({ err: error, app: name }, 'an app chart failed'),
    inspect: registry.inspect,
    onChart: (name, actor) =>
      registry.track({ id: `app:${name}`, kind: 'app', name, chart: 'app', actor }),
    onChartDropped: (name) => registry.untrack(`app:${name}`),
  });

  let markBooted: () => void = () => {};
  const booted = new Promise<void>((resolve) => {
    markBooted = resolve;
  });
  const methods = createRpcMethods({
    table,
    config,
    home,
    output,
    cpu,
    observability,
    hub,
    daemonActor,
    newId: () => nanoid(10),
    cpuCount: availableParallelism(),
    addProcess,
    // A process that started is not a failed start because the list could not be saved: logged.
    persist: () => saver.flush().catch(saveFailed),
    apps,
    webUi,
    requestExit: () => {
      setImmediate(() => void shutdown(0));
    },
  });

  const server: RpcServer = createRpcServer({
    socketPath: home.socket,
    ...(config.socketGroup !== null ? { group: config.socketGroup } : {}),
    handlers: afterBoot(
      booted,
      {
        ...methods,
        ...createAppMethods({ apps, table, output, timeoutMs: config.requestTimeoutMs }),
      },
      ['status'],
    ),
    log,
  });
  hub.attach(server);

  async function start(): Promise<void> {
    await apps.restore().catch((error) => log.error({ err: error }, 'installed apps not restored'));
    await observability.start();
    await server.listen();
    daemonActor.start();
    daemonActor.send({ type: 'BOOTED' });
    // Requests are served while the saved processes are brought back; the first command need not wait.
    void settle(daemonActor, (s) => s.value === 'running' || undefined, {
      timeoutMs: 600_000,
      what: 'boot',
      name: 'the daemon',
      where: (s) => `state ${String(s.value)}`,
    }).then(
      () => {
        bootDone = true;
        markBooted();
        saver.schedule();
        log.info({ socket: home.socket, pid: process.pid }, 'guv daemon running');
      },
      (error) => log.error({ err: error }, 'the daemon did not reach running'),
    );
  }

  let shuttingDown = false;
  async function shutdown(code: number): Promise<void> {
    if (shuttingDown) return;
    shuttingDown = true;
    try {
      if (daemonActor.getSnapshot().value !== 'exited') {
        daemonActor.send({ type: 'KILL' });
        await settle(
          daemonActor,
          (s) => s.value === 'exited' || s.value === 'fatality' || undefined,
          {
            timeoutMs: config.requestTimeoutMs * 2,
            what: 'shutdown',
            name: 'the daemon',
            where: (s) => `state ${String(s.value)}`,
          },
        );
      }
      await output.closeAll();
      await webUi.close();
      await observability.close();
      await server.close();
    } catch (error) {
      log.error({ err: error }, 'clean shutdown failed');
      code = code || 1;
    }
    options.onExit(code);
  }

  /** The daemon chart's log lines go through the daemon log: daemon.log and the bus, once. */
  function publishDaemonEvent(event: BusEvent): void {
    const level = DAEMON_LOG_LEVELS[event.type as keyof typeof DAEMON_LOG_LEVELS];
    if (level) log[level]((event.args[0] as LogRecord).message);
    else hub.emitEvent(event);
  }

  /**
   * The daemon is about to die of `error` (an uncaught exception, an unhandled rejection):
   * publishes `daemon:fatality (error)` and gives the event up to `flushMs` to reach clients.
   */
  async function fatal(error: unknown, flushMs = 2000): Promise<void> {
    const serialized = serializeError(error);
    if (daemonActor.getSnapshot().status === 'active')
      daemonActor.send({ type: 'FATAL', error: serialized });
    else hub.emit('daemon:fatality', serialized);
    const deadline = Date.now() + flushMs;
    while (Date.now() < deadline && server.connections().some((c) => c.bufferedBytes > 0))
      await new Promise((resolve) => setTimeout(resolve, 20));
  }

  return { start, shutdown, fatal, bus, hub, table, log };
}

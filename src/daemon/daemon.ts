import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { rm } from '../fs/async-fs.js';
import { type Actor, createActor, fromPromise } from 'xstate';
import { createBus } from '../bus/bus.js';
import { processId } from '../supervision/process-id.js';
import { daemonMachine } from '../machines/daemon/daemon-machine.js';
import { serializeError } from '../machines/process/serialize-error.js';
import type { DaemonMethodName, MethodHandlers } from '../protocol/methods.js';
import { createRpcServer, type RpcContext, type RpcServer } from '../rpc/server.js';
import { createChartRegistry } from '../inspect/registry.js';
import { createWebUi } from './web-ui.js';
import { afterBoot } from './after-boot.js';
import { createObservability } from './observability.js';
import type { GuvHome } from '../protocol/home.js';
import { createAppMethods } from '../methods/app-methods.js';
import { createAppService } from '../apps/service/app-service.js';
import type { DaemonConfig } from './daemon-config.js';
import { createDroppedMessages } from '../supervision/dropped-messages.js';
import { createEventHub } from './event-hub.js';
import { createRemoteService } from '../remote/remote-service.js';
import { createOutputRouter } from '../logs/output-router.js';
import { OUTPUT_EVENTS } from '../logs/log-event-names.js';
import { createCpuMeter } from '../procfs/proc-stats.js';
import { createProcessTable } from '../supervision/process-table.js';
import { createSupervise, ownLogSettings } from '../supervision/supervise.js';
import { createRpcMethods } from '../methods/process-methods.js';
import { createProcessList } from '../persistence/process-list.js';
import { createDaemonKeeper } from '../keeper/daemon-keeper.js';
import { GuvError } from '../errors.js';
import { settle } from '../supervision/settle.js';
import type { DaemonLogger } from './daemon-log.js';
import { publishedLog } from './published-log.js';
import type { BusEvent } from '../bus/events.js';
import type { LogRecord } from '../types/info.js';
import type { LogAccess } from '../logs/index.js';
import type { ClusterInfo } from '../types/info.js';

export interface DaemonOptions {
  home: GuvHome;
  config: DaemonConfig;
  log: DaemonLogger;
  /** Modes and group of log files and folders (guv.json `logGroup`); default private. */
  logAccess?: LogAccess;
  /** Called once the daemon has stopped everything and should exit. */
  onExit(code: number): void;
  /**
   * How this start treats the saved process list. `daemon` (default): brought back after a crash,
   * or always when guv.json `autoresume`. `boot` (the system's start at boot, `guv startup`): always
   * brought back, as the machine's shutdown was a clean stop. `foreground` (`guv run`): neither
   * read nor written, so that the apps of one command line never replace a daemon's saved list.
   */
  startMode?: 'daemon' | 'boot' | 'foreground';
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
    onSubscriptionsChange: () => hub.watchesChanged(),
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
      table
        .all()
        .flatMap((supervised) =>
          supervised
            .units()
            .map(({ id, info, worker }) => ({ id, info, ...(worker === null ? {} : { worker }) })),
        ),
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
    infoOf: (id) => table.byId(id)?.info() ?? null,
    workerInfoOf: (clusterId, workerId) => {
      const cluster = table.byId(clusterId);
      const worker = cluster?.workerInfo(workerId);
      return cluster && worker ? [cluster.info() as ClusterInfo, worker] : null;
    },
    onError: (error) => log.error({ err: error }, 'log file write failed'),
    logSettingsOf: (id) => {
      const definition = table.byId(id)?.definition;
      return definition ? ownLogSettings(definition) : null;
    },
  });

  const startMode = options.startMode ?? 'daemon';
  // guv.json `keeper`: processes and clusters run under the keeper and outlive this daemon.
  // Never under `guv run`: there the apps' life is the foreground process's (a container's).
  const keeper =
    config.keeper && startMode !== 'foreground'
      ? createDaemonKeeper({
          home,
          logs: config.logs,
          log,
          ...(options.logAccess ? { logAccess: options.logAccess } : {}),
          outputWatched: () => OUTPUT_EVENTS.some((type) => hub.isWatched(type)),
        })
      : null;
  if (keeper) hub.onWatchesChange(() => keeper.syncOutputWatch());

  const table = createProcessTable({
    create: createSupervise({
      ...(keeper ? { keeper } : {}),
      clock,
      hub,
      log,
      output,
      observability,
      dropped,
      inspect: registry.inspect,
      lookup: (id) => table.byId(id),
      onChange: () => processList.schedule(),
    }),
    onAdded: (supervised) => registry.track(supervised.chart),
    onRemoved: (supervised) => {
      registry.untrack(supervised.definition.id);
      observability.forget(supervised.definition.id);
      dropped.forget(supervised.definition.id);
    },
    onChange: () => processList.schedule(),
  });

  const processList = createProcessList({
    file: home.processesFile,
    table: () => table,
    log,
    autoresume: config.autoresume || startMode === 'boot',
    requestTimeoutMs: config.requestTimeoutMs,
    ...(keeper ? { keeper: keeper.current } : {}),
    persist: startMode !== 'foreground',
  });

  const daemonActor: Actor<typeof daemonMachine> = createActor(
    daemonMachine.provide({
      actors: {
        restoreProcesses: fromPromise(() => processList.restore(bootDone ? 'request' : 'boot')),
        dumpProcesses: fromPromise(() => processList.flush()),
        stopAllProcesses: fromPromise(() => processList.stopAllForExit()),
      },
      actions: { publish: (_, event) => publishDaemonEvent(event) },
    }),
    // Restoring is always attempted at boot: a daemon that died must bring back its processes.
    {
      input: { autoresume: startMode !== 'foreground', dumpOnExit: false, clock },
      inspect: registry.inspect,
    },
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
    newId: processId,
    cpuCount: availableParallelism(),
    addProcess: (definition) => table.add(definition),
    // A process that started is not a failed start because the list could not be saved: logged.
    persist: processList.persist,
    apps,
    webUi,
    requestExit: () => {
      setImmediate(() => void shutdown(0));
    },
    requestHandover: () => {
      if (!keeper) {
        throw new GuvError(
          'GUV_NOT_SUPPORTED',
          'a handover needs the keeper, which guv.json turns off ("keeper": false): without it, apps stop with the daemon',
        );
      }
      setImmediate(() => void handover());
      // Processes and clusters with a live child (or manager): the keeper's, kept across it.
      return table.all().filter((s) => s.pid !== null).length;
    },
  });

  // Handlers reach the server through this late binding: the remote service needs the server to
  // adopt its TLS sockets, and the server needs the remote service's (local-only) methods.
  const rpc: Pick<RpcServer, 'adopt'> = { adopt: (socket, gate) => server.adopt(socket, gate) };
  const remote = createRemoteService({
    settings: config.remote,
    configDir: home.config,
    usersFile: home.usersFile,
    rpc,
    log,
    report: reportListener,
  });

  const server: RpcServer = createRpcServer({
    socketPath: home.socket,
    ...(config.socketGroup !== null ? { group: config.socketGroup } : {}),
    handlers: afterBoot(
      booted,
      {
        ...methods,
        ...createAppMethods({ apps, table, output, timeoutMs: config.requestTimeoutMs }),
        ...remote.methods,
      } satisfies MethodHandlers<DaemonMethodName, RpcContext>,
      ['status'],
    ),
    log,
    onSubscriptionsChange: () => hub.watchesChanged(),
  });
  hub.attach(server);

  async function start(): Promise<void> {
    // The keeper that runs already (apps a dead daemon left), found while the apps and metrics
    // start and before the socket listens: the boot's restore re-adopts from its facts. None is
    // started for a daemon with nothing to keep; the first spawn starts one.
    const reaching = keeper?.find();
    reaching?.catch(() => {});
    try {
      await apps
        .restore()
        .catch((error) => log.error({ err: error }, 'installed apps not restored'));
      await observability.start();
      await reaching;
      await server.listen();
      await remote.start();
    } catch (error) {
      await reaching?.catch(() => {});
      // A daemon that cannot serve leaves no idle keeper behind (one holding apps stays).
      await keeper?.shutdownIfEmpty();
      throw error;
    }
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
        processList.schedule();
        log.info({ socket: home.socket, pid: process.pid }, 'guv daemon running');
      },
      (error) => log.error({ err: error }, 'the daemon did not reach running'),
    );
  }

  /**
   * `guv upgrade`: save the list and exit with every chart as it is. The keeper's connection is
   * never closed from here (its close would stop the children): it goes with the process, and
   * the keeper keeps the children (cluster managers and their workers too) for the next daemon.
   */
  async function handover(): Promise<void> {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info('handing the processes over to the next daemon');
    await processList.flush().catch((error) => log.error({ err: error }, 'saving failed'));
    await server.close().catch(() => {});
    options.onExit(0);
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
      await keeper?.shutdown();
      await output.closeAll();
      await webUi.close();
      await observability.close();
      await remote.close();
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

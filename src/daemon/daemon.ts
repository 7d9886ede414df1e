import { availableParallelism } from 'node:os';
import { type Actor, createActor, fromPromise, waitFor } from 'xstate';
import { nanoid } from 'nanoid';
import { createBus } from '../bus/bus.js';
import { createChildLogic } from '../actors/child/child-actor.js';
import { ClusterSupervisor } from '../cluster/cluster-supervisor.js';
import type { ChildMessage } from '../actors/child/wrapper-events.js';
import type { HeartbeatFigures } from '../actors/wrapper/protocol.js';
import { daemonMachine } from '../machines/daemon/daemon-machine.js';
import { processMachine } from '../machines/process/machine.js';
import { serializeError } from '../machines/process/serialize-error.js';
import { createRpcServer, type RpcServer } from '../rpc/server.js';
import type { GuvHome } from './home.js';
import { createAppMethods } from './app-methods.js';
import { createAppService } from './app-service.js';
import type { DaemonConfig } from './daemon-config.js';
import { createEventHub } from './event-hub.js';
import { stopLeftoverChildren } from './leftovers.js';
import { createOutputRouter } from './output-router.js';
import { createCpuMeter } from './proc-stats.js';
import { readProcessStartTime } from './process-identity.js';
import { createProcessTable, info, type Managed, pidOf } from './process-table.js';
import { createRpcMethods } from './rpc-methods.js';
import { createStateSaver, readSavedState, type SavedState } from './saved-state.js';
import type { DaemonLogger } from './daemon-log.js';
import type { ProcessDefinition } from './process-definition.js';

export interface DaemonOptions {
  home: GuvHome;
  config: DaemonConfig;
  log: DaemonLogger;
  /** Called once the daemon has stopped everything and should exit. */
  onExit(code: number): void;
}

const clock = { now: () => Date.now() };

/** The composition root: wires the charts to the real world and opens the local socket. */
export function createDaemon(options: DaemonOptions) {
  const { home, config, log } = options;
  const bus = createBus({
    onListenerError: (error, type) => log.error({ err: error, type }, 'a bus listener threw'),
  });
  const hub = createEventHub(bus);
  const cpu = createCpuMeter();
  const heartbeats = new Map<string, HeartbeatFigures>();
  let cleanShutdown = false;

  const output = createOutputRouter({
    logsDir: home.logs,
    hub,
    maxBytes: config.logs.maxBytes,
    keep: config.logs.keep,
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
      if (managed) output.output(id, managed.definition.name, stream, chunk);
    },
    onMessage(id, message) {
      handleChildMessage(id, message);
    },
    register(id, handle) {
      const managed = table.byId(id);
      if (managed?.kind === 'process') managed.handle = handle;
      saver.schedule();
    },
    unregister(id) {
      const managed = table.byId(id);
      if (managed?.kind === 'process') managed.handle = null;
      heartbeats.delete(id);
    },
  });

  const table = createProcessTable({
    machine: processMachine.provide({
      actors: { child: childLogic },
      actions: { publish: (_, event) => hub.emitEvent(event) },
    }),
    clock,
    createCluster: (definition) =>
      new ClusterSupervisor(definition, {
        clock,
        publish: (event) => hub.emitEvent(event),
        onManagerOutput: (cluster, stream, chunk) =>
          output.clusterOutput(
            { kind: 'cluster', id: cluster.id, name: cluster.definition.name },
            stream,
            chunk,
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
    message: ChildMessage,
  ): void {
    switch (message.type) {
      case 'log':
        output.clusterRecord(workerSource(cluster, workerId), message.level, message.message);
        break;
      case 'heartbeat':
        heartbeats.set(workerId, message);
        break;
      case 'config:request': {
        const config = processConfig(cluster.definition);
        const known = Object.hasOwn(config, message.key);
        cluster.respondConfig(
          workerId,
          message.requestId,
          known ? config[message.key] : undefined,
          known
            ? undefined
            : {
                name: 'GuvError',
                message: `no config key "${message.key}"`,
                code: 'GUV_CONFIG_NOT_FOUND',
              },
        );
        break;
      }
      case 'listening':
        break;
    }
  }

  const saver = createStateSaver(home.processesFile, snapshotState, (error) =>
    log.error({ err: error }, 'saving the process list failed'),
  );

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

  function handleChildMessage(id: string, message: ChildMessage): void {
    const managed = table.byId(id);
    if (managed?.kind !== 'process') return;
    switch (message.type) {
      case 'log':
        output.record(id, managed.definition.name, message.level, message.message);
        break;
      case 'heartbeat':
        heartbeats.set(id, message);
        break;
      case 'config:request': {
        const processInfo = info(managed);
        hub.emit('process:config:request', processInfo, message.key);
        const config = processConfig(managed.definition);
        const known = Object.hasOwn(config, message.key);
        const value = known ? config[message.key] : undefined;
        managed.handle?.respondConfig(
          message.requestId,
          value,
          known
            ? undefined
            : {
                name: 'GuvError',
                message: `no config key "${message.key}"`,
                code: 'GUV_CONFIG_NOT_FOUND',
              },
        );
        hub.emit('daemon:config:response', processInfo, message.key, value);
        break;
      }
      case 'listening':
        break;
    }
  }

  function addProcess(definition: ProcessDefinition): Managed {
    return table.add(definition);
  }

  async function restoreFromDisk(mode: 'boot' | 'request'): Promise<void> {
    const read = await readSavedState(home.processesFile);
    if (read.kind === 'missing') return;
    if (read.kind === 'corrupt') {
      log.error({ err: read.error }, 'the saved process list is corrupt; it was kept aside');
      hub.emit('daemon:log:error', { date: Date.now(), message: read.error.message });
      throw read.error;
    }
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
      if (entry.desired === 'running') {
        starts.push(table.start(managed, 'restore', config.requestTimeoutMs).catch(() => {}));
      }
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
          await saver.flush();
        }),
      },
      actions: { publish: (_, event) => hub.emitEvent(event) },
    }),
    // Restoring is always attempted at boot: a daemon that died must bring back its processes.
    { input: { autoresume: true, dumpOnExit: false, clock } },
  );
  let bootDone = false;
  daemonActor.subscribe({
    error: (error) => log.error({ err: error }, 'the daemon chart failed'),
  });

  const apps = createAppService({
    appsRoot: home.apps,
    registryFile: home.appsFile,
    clock,
    publish: (event) => hub.emitEvent(event),
    onChartError: (name, error) => log.error({ err: error, app: name }, 'an app chart failed'),
  });

  let markBooted: () => void = () => {};
  const booted = new Promise<void>((resolve) => {
    markBooted = resolve;
  });
  const methods = createRpcMethods({
    booted,
    table,
    config,
    home,
    output,
    cpu,
    heartbeats,
    hub,
    daemonActor,
    newId: () => nanoid(10),
    cpuCount: availableParallelism(),
    addProcess,
    apps,
    requestExit: () => {
      setImmediate(() => void shutdown(0));
    },
  });

  const server: RpcServer = createRpcServer({
    socketPath: home.socket,
    ...(config.socketGroup !== null ? { group: config.socketGroup } : {}),
    handlers: {
      ...methods,
      ...createAppMethods({ apps, booted, table, output, timeoutMs: config.requestTimeoutMs }),
    },
    log,
  });
  hub.attach(server);

  async function start(): Promise<void> {
    await apps.restore().catch((error) => log.error({ err: error }, 'installed apps not restored'));
    await server.listen();
    daemonActor.start();
    daemonActor.send({ type: 'BOOTED' });
    // Requests are served while the saved processes are brought back; the first command need not wait.
    void waitFor(daemonActor, (s) => s.value === 'running', { timeout: 600_000 }).then(
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
        await waitFor(daemonActor, (s) => s.value === 'exited' || s.value === 'fatality', {
          timeout: config.requestTimeoutMs * 2,
        });
      }
      await output.closeAll();
      await server.close();
    } catch (error) {
      log.error({ err: error }, 'clean shutdown failed');
      code = code || 1;
    }
    options.onExit(code);
  }

  function fatal(error: unknown): void {
    log.fatal({ err: error }, 'daemon fatality');
    daemonActor.send({ type: 'FATAL', error: serializeError(error) });
  }

  return { start, shutdown, fatal, bus, hub, table };
}

/** What a process's wrapper gets for `config:request`. */
function processConfig(definition: ProcessDefinition): Record<string, unknown> {
  return {
    id: definition.id,
    name: definition.name,
    script: definition.spec.script,
    cwd: definition.spec.cwd,
    args: definition.spec.args,
    instances: definition.instances,
  };
}

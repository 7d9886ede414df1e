import type { InspectionEvent } from 'xstate';
import type { ChildHandle } from '../actors/child/child-handle.js';
import { type ChildActorDeps, createChildLogic } from '../actors/child/child-actor.js';
import { createKeeperChildLogic } from '../actors/child/keeper-child-actor.js';
import type { KeeperClient } from '../keeper/client.js';
import type { OwnLogSettings } from '../keeper/daemon-keeper.js';
import type { LogTarget } from '../keeper/protocol.js';
import { createFileWatcherLogic } from '../actors/watch/file-watcher.js';
import type { ChildMessage } from '../actors/child/wrapper-events.js';
import { ClusterSupervisor } from '../cluster/cluster-supervisor.js';
import { processMachine } from '../machines/process/machine.js';
import type { ChartClock } from '../machines/process/supervision-context.js';
import { answerConfig, handleChildMessage } from './child-messages.js';
import type { DaemonLogger } from '../daemon/daemon-log.js';
import type { DroppedMessages } from './dropped-messages.js';
import type { EventHub } from '../daemon/event-hub.js';
import type { Observability } from '../daemon/observability.js';
import type { OutputRouter } from '../logs/output-router.js';
import type { ProcessDefinition } from './process-definition.js';
import { createSupervisedProcess } from './supervised-process.js';
import type { Supervised } from './supervised.js';

export interface SuperviseDeps {
  clock: ChartClock;
  hub: EventHub;
  log: DaemonLogger;
  output: OutputRouter;
  observability: Observability;
  dropped: DroppedMessages;
  /** Passed to every chart so the visualiser sees transient states. */
  inspect?: (event: InspectionEvent) => void;
  /** What the process table holds under an id: a child reports by its process's id. */
  lookup(id: string): Supervised | undefined;
  /** Anything the persisted state depends on changed. */
  onChange(): void;
  /**
   * Set when processes and clusters run under the keeper (guv.json `keeper`): their children are
   * the keeper's, and so are their log files (the router only publishes their lines).
   */
  keeper?: {
    client(): KeeperClient | Promise<KeeperClient>;
    /** Where the keeper writes the output of the process named `name` (its files, as `settings` say). */
    logTarget(name: string, settings: OwnLogSettings | null): LogTarget | Promise<LogTarget>;
  };
}

/**
 * Binds the charts to the real world and answers "what supervises this definition?": a
 * single process (the process chart on a real child) or a cluster (its chart on a real
 * manager and workers). The only place that tells the two apart.
 *
 * @example
 * const table = createProcessTable({ create: createSupervise(deps), onChange });
 */
export function createSupervise(
  deps: SuperviseDeps,
): (definition: ProcessDefinition) => Supervised {
  const superviseProcess = processSupervisor(deps);
  const superviseCluster = clusterSupervisor(deps);
  return (definition) =>
    definition.instances === null ? superviseProcess(definition) : superviseCluster(definition);
}

function processSupervisor(deps: SuperviseDeps) {
  const { hub, output, lookup } = deps;
  // The live child of each single process, while it runs: its live-command target.
  const handles = new Map<string, ChildHandle>();
  const { keeper } = deps;
  /** `kept`: the keeper writes the log files; the router only publishes the lines. */
  const childDeps = (kept: boolean): ChildActorDeps => ({
    onOutput(id, stream, chunk) {
      const supervised = lookup(id);
      if (!supervised) return undefined;
      if (kept) return output.publishOutput(id, stream, chunk);
      return output.output(id, supervised.definition.name, stream, chunk);
    },
    onMessage(id, message) {
      // The child actor runs single processes only: a cluster's workers come through its manager.
      const supervised = lookup(id);
      if (!supervised) return;
      handleChildMessage(
        message,
        id,
        {
          log: (level, text) =>
            kept
              ? output.publishRecord(id, level, text)
              : output.record(id, supervised.definition.name, level, text),
          config: (requestId, key) => {
            const processInfo = supervised.info();
            hub.emit('process:config:request', processInfo, key);
            const { value, error } = answerConfig(supervised.definition, key);
            handles.get(id)?.respondConfig(requestId, value, error);
            hub.emit('daemon:config:response', processInfo, key, value);
          },
          message: (data) => {
            if (hub.isWatched('process:msg')) hub.emit('process:msg', supervised.info(), data);
          },
        },
        deps.observability,
      );
    },
    onDropped: (id, reason) => deps.dropped.drop(id, reason),
    register(id, handle) {
      handles.set(id, handle);
      deps.onChange();
    },
    unregister(id) {
      handles.delete(id);
    },
  });
  const provide = (child: ReturnType<typeof createChildLogic>) =>
    processMachine.provide({
      actors: { child, watcher: createFileWatcherLogic() },
      actions: { publish: (_, event) => hub.emitEvent(event) },
    });
  const direct = provide(createChildLogic(childDeps(false)));
  const kept =
    keeper &&
    provide(
      createKeeperChildLogic({
        ...childDeps(true),
        keeper: keeper.client,
        logTarget: (id) => {
          const definition = lookup(id)?.definition;
          return keeper.logTarget(
            definition?.name ?? id,
            definition ? ownLogSettings(definition) : null,
          );
        },
        meta: (input) => ({ restarts: input.attempt }),
      }),
    );
  return (definition: ProcessDefinition): Supervised =>
    createSupervisedProcess(definition, {
      machine: kept || direct,
      clock: deps.clock,
      ...(deps.inspect ? { inspect: deps.inspect } : {}),
      handle: (id) => handles.get(id) ?? null,
      onChange: deps.onChange,
      onChartError: (failed, error) =>
        deps.log.error({ err: error, process: failed.name }, 'a process chart failed'),
    });
}

/**
 * A definition's log options and whose files they are, for whoever writes its files (the output
 * router, or the keeper); null: guv's defaults, no file of the user's.
 */
export function ownLogSettings(definition: ProcessDefinition): OwnLogSettings | null {
  return definition.logs
    ? {
        logs: definition.logs,
        owner: { user: definition.spec.user, group: definition.spec.group },
      }
    : null;
}

function clusterSupervisor(deps: SuperviseDeps) {
  const { output } = deps;
  return (definition: ProcessDefinition): Supervised => {
    // Under the keeper (guv.json `keeper`), as single processes: it writes the files, the
    // router only publishes the lines.
    const keeper = deps.keeper ?? null;
    const kept = keeper !== null;
    const managerSource = (cluster: ClusterSupervisor) => ({
      kind: 'cluster' as const,
      id: cluster.id,
      name: cluster.definition.name,
    });
    return new ClusterSupervisor(definition, {
      clock: deps.clock,
      manager: { onDropped: (reason) => deps.dropped.drop(definition.id, reason) },
      ...(keeper
        ? {
            keeper: {
              keeper: keeper.client,
              logTarget: () => keeper.logTarget(definition.name, ownLogSettings(definition)),
            },
            noteKept: (cluster: ClusterSupervisor, meta: unknown) => {
              const client = keeper.client();
              if (!(client instanceof Promise)) client.note(cluster.id, meta).catch(() => {});
            },
          }
        : {}),
      ...(deps.inspect ? { inspect: deps.inspect } : {}),
      publish: (event) => deps.hub.emitEvent(event),
      onManagerOutput: (cluster, stream, chunk) =>
        kept
          ? output.publishClusterOutput(managerSource(cluster), stream, chunk)
          : output.clusterOutput(managerSource(cluster), stream, chunk),
      onManagerLog: (cluster, level, message) =>
        kept
          ? output.publishClusterRecord(managerSource(cluster), level, message)
          : output.clusterRecord(managerSource(cluster), level, message),
      onWorkerOutput: (cluster, workerId, stream, data) =>
        kept
          ? output.publishClusterOutput(workerSource(cluster, workerId), stream, data)
          : output.clusterOutput(workerSource(cluster, workerId), stream, data),
      onWorkerMessage: (cluster, workerId, message) =>
        handleWorkerMessage(deps, cluster, workerId, message, kept),
      onChange: deps.onChange,
      onChartError: (failed, error) =>
        deps.log.error({ err: error, process: failed.name }, 'a cluster chart failed'),
    });
  };
}

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
  deps: SuperviseDeps,
  cluster: ClusterSupervisor,
  workerId: string,
  message: ChildMessage,
  kept: boolean,
): void {
  handleChildMessage(
    message,
    workerId,
    {
      log: (level, text) =>
        kept
          ? deps.output.publishClusterRecord(workerSource(cluster, workerId), level, text)
          : deps.output.clusterRecord(workerSource(cluster, workerId), level, text),
      config: (requestId, key) => {
        const { value, error } = answerConfig(cluster.definition, key);
        cluster.respondConfig(workerId, requestId, key, value, error);
      },
      message: (data) => {
        if (!deps.hub.isWatched('worker:msg')) return;
        const worker = cluster.workerInfo(workerId);
        if (worker) deps.hub.emit('worker:msg', cluster.info(), worker, data);
      },
    },
    deps.observability,
  );
}

import { type Actor, createActor, type InspectionEvent } from 'xstate';
import type { ChildMessage } from '../actors/child/wrapper-events.js';
import type { BusEvent } from '../bus/events.js';
import { chartTimers } from '../supervision/chart-timers.js';
import type { ProcessDefinition } from '../supervision/process-definition.js';
import { provideCluster } from '../machines/cluster/provide-cluster.js';
import type { ChartClock } from '../machines/process/supervision-context.js';
import { resolveTimeouts } from '../machines/process/supervision-context.js';
import { createFileWatcherLogic } from '../actors/watch/file-watcher.js';
import { createKeeperManagerLogic, type KeeperManagerDeps } from './keeper-manager-actor.js';
import { createManagerLogic, type ManagerActorDeps } from './manager-actor.js';
import type { ManagerLink } from './manager-link.js';
import { createWorkerChildLogic } from './worker-child-actor.js';
import type { WorkerReplies } from './worker-replies.js';

export type ClusterLogic = ReturnType<typeof provideCluster>;
export type ClusterActor = Actor<ClusterLogic>;

/** What the cluster chart is bound to: the daemon's side of one manager and its workers. */
export interface ClusterChartDeps {
  clock: ChartClock;
  /** Every transition of the cluster chart and of its workers' charts. */
  publish(event: BusEvent): void;
  /** Options for the manager process (paths, identity lookups), mostly for tests. */
  manager?: Partial<Omit<ManagerActorDeps, 'link' | 'onOutput' | 'onLog'>>;
  heartbeatMs?: number;
  /** How long a reload waits for one new worker; 60 s unless told. */
  reloadTimeoutMs?: number;
  /**
   * Set when the cluster runs under the keeper (guv.json `keeper`): the keeper spawns the
   * manager, relays its IPC and writes its and its workers' log files.
   */
  keeper?: Pick<KeeperManagerDeps, 'keeper' | 'logTarget'>;
  /** Passed to createActor, so the visualiser sees transient states (registry.inspect). */
  inspect?: (event: InspectionEvent) => void;
  /** Something persisted changed (its status). */
  onChange(): void;
  onChartError(definition: ProcessDefinition, error: unknown): void;
}

/** The channels of one cluster: its manager link, the workers' pending replies, their output. */
export interface ClusterWiring {
  link: ManagerLink;
  replies: WorkerReplies;
  onManagerOutput(stream: 'stdout' | 'stderr', chunk: Buffer): void;
  /** A log line of the manager's own: cluster:log:<level>. */
  onManagerLog(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
  onWorkerOutput(workerId: string, stream: 'stdout' | 'stderr', data: string): void;
  onWorkerMessage(workerId: string, message: ChildMessage): void;
}

/**
 * The cluster chart of `definition`, started, with its real actors (one manager process and its
 * workers) and watched: a status change is a persisted change, a chart that throws is reported.
 */
export function startClusterChart(
  definition: ProcessDefinition,
  deps: ClusterChartDeps,
  wiring: ClusterWiring,
): ClusterActor {
  const actor = createActor(clusterLogic(definition, deps, wiring), {
    input: {
      id: definition.id,
      name: definition.name,
      spec: definition.spec,
      instances: definition.instances ?? 1,
      clock: deps.clock,
      policy: definition.policy,
      timeouts: definition.timeouts,
      reloadWaitsForListening: true,
      ...(definition.triggers ? { triggers: definition.triggers } : {}),
      ...(deps.reloadTimeoutMs !== undefined ? { reloadTimeoutMs: deps.reloadTimeoutMs } : {}),
    },
    clock: chartTimers,
    ...(deps.inspect ? { inspect: deps.inspect } : {}),
  });
  let lastStatus: string | null = null;
  actor.subscribe({
    next: ({ context }) => {
      if (context.status === lastStatus) return;
      lastStatus = context.status;
      deps.onChange();
    },
    error: (error) => deps.onChartError(definition, error),
  });
  return actor.start();
}

function clusterLogic(
  definition: ProcessDefinition,
  deps: ClusterChartDeps,
  wiring: ClusterWiring,
): ClusterLogic {
  const { link, replies } = wiring;
  const managerDeps = {
    ...deps.manager,
    link,
    onOutput: wiring.onManagerOutput,
    onLog: wiring.onManagerLog,
  };
  return provideCluster({
    manager: deps.keeper
      ? createKeeperManagerLogic({ ...managerDeps, ...deps.keeper })
      : createManagerLogic(managerDeps),
    child: createWorkerChildLogic({
      clusterId: definition.id,
      link,
      killTimeoutMs: resolveTimeouts(definition.timeouts).killMs,
      ...(deps.heartbeatMs !== undefined ? { heartbeatMs: deps.heartbeatMs } : {}),
      ...(deps.manager?.orphanKillMs !== undefined
        ? { orphanKillMs: deps.manager.orphanKillMs }
        : {}),
      onOutput: wiring.onWorkerOutput,
      onMessage: wiring.onWorkerMessage,
      onReply: (workerId, reply) => replies.settle(workerId, reply),
      onGone: (workerId) => replies.gone(workerId),
    }),
    publish: (event) => deps.publish(event),
    watcher: createFileWatcherLogic(),
  });
}

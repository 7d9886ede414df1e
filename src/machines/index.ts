/** guv/machines: the pure statecharts and the restart policy. */
export type {
  ChildCommand,
  ChildEvent,
  ChildInput,
  ProcessSpec,
} from './process/child-protocol.js';
export { processMachine, type ProcessInput, type ProcessMachine } from './process/machine.js';
export { workerMachine, type WorkerInput, type WorkerMachine } from './worker/machine.js';
export {
  createSupervisionMachine,
  type SupervisionMachineOptions,
} from './process/supervision-machine.js';
export {
  type ChartClock,
  DEFAULT_TIMEOUTS,
  type SupervisionContext,
  type SupervisionInputBase,
  type SupervisionTimeouts,
} from './process/supervision-context.js';
export type {
  HeartbeatMissed,
  SupervisionCommand,
  SupervisionEvent,
  WorkerStatusEvent,
} from './process/supervision-events.js';
export { type LifecycleEvents, processLifecycleEvents } from './process/lifecycle-events.js';
export { workerLifecycleEvents } from './worker/lifecycle-events.js';
export { processInfo } from './process/info.js';
export { clusterInfoOf, workerInfo, workerName } from './worker/info.js';
export {
  appendHistory,
  describeTransition,
  HISTORY_LIMIT,
  type HistoryEntry,
  type TransitionCause,
} from './history.js';
export {
  backoffDelay,
  DEFAULT_RESTART_POLICY,
  decideAfterExit,
  type ExitFacts,
  type FailureState,
  formatDuration,
  isFailureExit,
  type RestartDecision,
  type RestartMode,
  type RestartPolicyOptions,
  resolveRestartPolicy,
} from './restart-policy.js';
export {
  type DaemonClock,
  type DaemonContext,
  type DaemonEvent,
  type DaemonInput,
  type DaemonState,
  daemonMachine,
} from './daemon/daemon-machine.js';
export { appendChartHistory, type ChartHistoryEntry } from './daemon/chart-history.js';
export {
  type AppClock,
  type AppContext,
  type AppEvent,
  type AppInput,
  type AppState,
  appMachine,
} from './app/app-machine.js';
export {
  type AppActorInput,
  type AppCheckout,
  appActors,
  type SwitchRefInput,
} from './app/app-actors.js';
export { type ClusterMachine, clusterMachine } from './cluster/cluster-machine.js';
export type {
  ClusterCommand,
  ClusterContext,
  ClusterEvent,
  ClusterInput,
  ClusterState,
  ManagerEvent,
  ManagerInput,
  ManagerVerdict,
  WorkerRecord,
} from './cluster/cluster-types.js';
export { type ClusterEffects, provideCluster } from './cluster/provide-cluster.js';
export { clusterInfo } from './cluster/worker-records.js';

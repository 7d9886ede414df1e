/** guv: the programmatic API. See also `guv/machines` and `guv/testing`. */
export {
  connect,
  connectOrStart,
  running,
  GuvClient,
  type ConnectOptions,
  type ProcessHandle,
  type ProcessSummary,
  type StartOptions,
  type AppOutputListener,
  type AppSummary,
  type GitRef,
  type InstallAppOptions,
  type RefSwitch,
  type CurrentRef,
  type DaemonStatus,
  type DumpReply,
  type ExceptionsReply,
  type HeapdumpReply,
  type ListenerStatus,
  type LogFileSet,
  type MethodName,
  type Methods,
  type Params,
  type ProcessDetails,
  type Reply,
  type WhyReply,
  type WorkerSummary,
} from './client/api.js';
export { remote, type RemoteOptions } from './remote/remote-client.js';
export { createBus, type Bus } from './bus/bus.js';
export { defineConfig, type GuvAppConfig, type GuvConfig } from './config/guv-config.js';
export type { BusEvent, GuvEventName, GuvEvents, JsonValue } from './bus/events.js';
export { GuvError, type GuvErrorCode, isGuvError } from './errors.js';
export { ERROR_CODES, type ErrorCodeSpec, isGuvErrorCode } from './error-codes.js';
export type {
  AppInfo,
  ClusterInfo,
  LogRecord,
  ProcessInfo,
  ProcessStatus,
  SerializedError,
  WorkerInfo,
} from './types/info.js';

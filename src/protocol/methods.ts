import type { ProcessInfo } from '../types/info.js';
import type {
  AppInfo,
  AppSummary,
  CurrentRef,
  DaemonStatus,
  DumpReply,
  ExceptionsReply,
  GitRef,
  HeapdumpReply,
  LogFileSet,
  ProcessDetails,
  RemoteAccess,
  RemoteRole,
  RemoteUser,
  RemoteUserSecret,
  ProcessSummary,
  RefSwitch,
  WhyReply,
} from './replies.js';
import type { StartParams } from './start-options.js';

/** A process or cluster, by id, name or pid. */
interface Target {
  target: string;
}

/** Long app operations stream git and npm output as `app:output` events when asked. */
interface WithOutput {
  output?: boolean;
}

/**
 * Every RPC method the daemon answers, with its parameters and its reply: the one description
 * of the wire that the daemon's handlers, the client and the CLI are checked against.
 */
export interface Methods {
  // Built into every server.
  ping: { params: undefined; reply: { pid: number } };
  subscribe: { params: { pattern: string }; reply: null };
  unsubscribe: { params: { pattern: string }; reply: null };

  // Processes and clusters.
  list: { params: undefined; reply: ProcessSummary[] };
  start: { params: StartParams; reply: ProcessSummary };
  stop: { params: Target; reply: ProcessSummary };
  /** With `updateEnv`, it runs with `env` from now on (pm2's --update-env). */
  restart: {
    params: Target & { updateEnv?: boolean; env?: Record<string, string> };
    reply: ProcessSummary;
  };
  remove: { params: Target; reply: ProcessInfo };
  reload: { params: Target; reply: ProcessSummary };
  resize: { params: Target & { instances: number }; reply: ProcessSummary };
  info: { params: Target; reply: ProcessDetails };
  why: { params: Target & { worker?: number | null }; reply: WhyReply };
  exceptions: { params: Target; reply: ExceptionsReply };
  logFiles: { params: Partial<Target>; reply: LogFileSet[] };
  /** Empties the log files of one process (or of every one): guv's own and those the user named. */
  flush: { params: Partial<Target>; reply: { files: string[] } };

  // Into running code.
  send: {
    params: Target & { event: string; args?: unknown[] };
    reply: { delivered: boolean; workers?: number };
  };
  signal: {
    params: Target & { signal: string };
    reply: { signal: NodeJS.Signals; pids?: number[] };
  };
  write: { params: Target & { data: string }; reply: { written: number } };
  gc: { params: Target; reply: { ok: true; workers?: number } };
  heapdump: {
    params: Target & { path?: string; summary?: boolean; top?: number };
    reply: HeapdumpReply;
  };

  // The daemon.
  status: { params: undefined; reply: DaemonStatus };
  metrics: { params: { format?: 'openmetrics' | 'prometheus' }; reply: { text: string } };
  config: { params: { path?: string | null }; reply: { value: unknown } };
  ui: { params: undefined; reply: { url: string } };
  dump: { params: undefined; reply: DumpReply };
  restore: { params: undefined; reply: { processes: number } };
  kill: { params: undefined; reply: { ok: true } };
  /**
   * `guv upgrade`: the daemon saves its list and exits without stopping the processes the keeper
   * runs; the next daemon (the new version) re-adopts them. Needs guv.json `keeper`.
   */
  handover: { params: undefined; reply: { kept: number } };

  // Installed apps.
  installApp: {
    params: WithOutput & { url: string; name?: string; user?: string; ref?: string; cwd?: string };
    reply: AppInfo;
  };
  listApps: { params: undefined; reply: AppSummary[] };
  removeApp: { params: WithOutput & { name: string; force?: boolean }; reply: AppInfo };
  listRefs: { params: { name: string }; reply: GitRef[] };
  updateRefs: { params: WithOutput & { name: string }; reply: GitRef[] };
  setRef: { params: WithOutput & { name: string; ref: string }; reply: RefSwitch };
  currentRef: { params: { name: string }; reply: CurrentRef };

  // Remote access (local socket only: see LOCAL_ONLY_METHODS).
  addUser: { params: { name: string; role?: RemoteRole }; reply: RemoteUserSecret };
  removeUser: { params: { name: string }; reply: RemoteUser };
  listUsers: { params: undefined; reply: RemoteUser[] };
  resetUser: { params: { name: string }; reply: RemoteUserSecret };
  remoteConfig: { params: { name?: string | null }; reply: RemoteAccess };
}

/**
 * What a read-only remote user may call: methods that change nothing. A method not listed here
 * is admin-only over TLS, so a new method is safe by default.
 */
export const READ_ONLY_METHODS: ReadonlySet<MethodName> = new Set<MethodName>([
  'ping',
  'subscribe',
  'unsubscribe',
  'list',
  'info',
  'why',
  'exceptions',
  'logFiles',
  'status',
  'metrics',
  'config',
  'listApps',
  'listRefs',
  'currentRef',
]);

/** Methods never served over TLS, whoever asks: they manage remote access itself. */
export const LOCAL_ONLY_METHODS: ReadonlySet<MethodName> = new Set<MethodName>([
  'addUser',
  'removeUser',
  'listUsers',
  'resetUser',
  'remoteConfig',
]);

export type MethodName = keyof Methods;
export type Params<M extends MethodName> = Methods[M]['params'];
export type Reply<M extends MethodName> = Methods[M]['reply'];

/** The arguments after the method name: params may be left out where a method takes none. */
export type RequestArgs<M extends MethodName, Options> =
  undefined extends Params<M>
    ? [params?: Params<M>, options?: Options]
    : [params: Params<M>, options?: Options];

/** The methods the daemon itself registers (the server answers the built-in ones). */
export type DaemonMethodName = Exclude<MethodName, 'ping' | 'subscribe' | 'unsubscribe'>;

/** The methods the app service answers. */
export type AppMethodName =
  | 'installApp'
  | 'listApps'
  | 'removeApp'
  | 'listRefs'
  | 'updateRefs'
  | 'setRef'
  | 'currentRef';

/** The methods the remote-access service answers (src/remote). */
export type RemoteMethodName =
  | 'addUser'
  | 'removeUser'
  | 'listUsers'
  | 'resetUser'
  | 'remoteConfig';

/**
 * A handler for `M`: it receives the untrusted params (validated inside) and must answer with
 * `M`'s reply.
 */
export type MethodHandler<M extends MethodName, Context = unknown> = (
  params: unknown,
  ctx: Context,
) => Reply<M> | Promise<Reply<M>>;

/** Handlers for some of the methods, each checked against its reply type. */
export type MethodHandlers<Names extends MethodName, Context = unknown> = {
  [M in Names]: MethodHandler<M, Context>;
};

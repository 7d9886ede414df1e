import type { GuvEventName, GuvEvents } from '../bus/events.js';
import type { ExactListener, PatternListener, PatternString } from '../bus/listener-types.js';
import { GuvError } from '../errors.js';
import { type GuvHome, resolveHome } from '../protocol/home.js';
import type { MethodName, Reply, RequestArgs } from '../protocol/methods.js';
import type {
  DaemonStatus,
  DumpReply,
  ExceptionsReply,
  HeapdumpReply,
  LogFileSet,
  ProcessDetails,
  ProcessSummary,
  WhyReply,
  WorkerSummary,
} from '../protocol/replies.js';
import { parseStartOptions, type StartOptions } from '../protocol/start-options.js';
import type { ProcessInfo } from '../types/info.js';
import {
  type AppInfo,
  type AppOutputOptions,
  type AppSummary,
  appRequests,
  type CurrentRef,
  type GitRef,
  type InstallAppOptions,
  type RefSwitch,
} from './apps.js';
import { connectOrStartDaemon } from './autostart.js';
import { folderTarget } from './package-target.js';
import { type Connection, openConnection } from './connection.js';
import { resolveDaemonEntry } from './daemon-entry.js';

export type {
  DaemonStatus,
  DumpReply,
  ExceptionsReply,
  HeapdumpReply,
  LogFileSet,
  ProcessDetails,
  ProcessSummary,
  StartOptions,
  WhyReply,
  WorkerSummary,
};
export type {
  AppInfo,
  AppOutputListener,
  AppOutputOptions,
  AppSummary,
  CurrentRef,
  GitRef,
  InstallAppOptions,
  RefSwitch,
} from './apps.js';
export type { ListenerStatus } from '../protocol/replies.js';
export type { MethodName, Methods, Params, Reply } from '../protocol/methods.js';

export interface ConnectOptions {
  /** The daemon's home folder; defaults to `GUV_HOME`, then the user's (or root's) standard paths. */
  home?: string;
  /** Default time a request may take before it fails with GUV_RPC_TIMEOUT. */
  timeoutMs?: number;
}

type Unsubscribe = () => Promise<void>;

function homeOf(options: ConnectOptions): GuvHome {
  return resolveHome(options.home ? { ...process.env, GUV_HOME: options.home } : process.env);
}

/** A live process, by id: the operations that act on it directly. */
export interface ProcessHandle {
  readonly id: string;
  /** Stops the process (graceful signal, then SIGKILL after its kill timeout). */
  kill(): Promise<ProcessSummary>;
  /**
   * Emits `event` with `args` on `process` inside the child; for a cluster, inside every running
   * worker (`workers` says how many; `delivered` is true when any of them listens for it).
   */
  send(event: string, ...args: unknown[]): Promise<{ delivered: boolean; workers?: number }>;
  /**
   * Signals the process's group; for a cluster, every running worker (`pids` lists them).
   * Resolves with the signal's full name (`USR2` → `SIGUSR2`).
   */
  signal(signal: NodeJS.Signals | string): Promise<{ signal: NodeJS.Signals; pids?: number[] }>;
  write(data: string): Promise<void>;
}

/**
 * A connection to the guv daemon. Every method is a request over the local socket.
 *
 * @example
 * const guv = await connectOrStart();
 * await guv.startProcess('./server.js', { name: 'web' });
 * const off = await guv.on('process:exit', (info, error, code) => console.log(info.name, code));
 * await guv.disconnect();
 */
export class GuvClient {
  readonly #connection: Connection;

  constructor(connection: Connection) {
    this.#connection = connection;
  }

  /** A request by method name, typed by the method map, for methods this class does not wrap. */
  request<M extends MethodName>(
    method: M,
    ...[params, timeoutMs]: RequestArgs<M, number>
  ): Promise<Reply<M>> {
    return this.#connection.requestUnchecked(
      method,
      params,
      timeoutMs === undefined ? {} : { timeoutMs },
    ) as Promise<Reply<M>>;
  }

  /** Any method with any params, unchecked (tests that send what the daemon must refuse). */
  requestUnchecked(method: string, params?: unknown, timeoutMs?: number): Promise<unknown> {
    return this.#connection.requestUnchecked(
      method,
      params,
      timeoutMs === undefined ? {} : { timeoutMs },
    );
  }

  /** Every process and cluster with its live figures (`guv list`). */
  listProcesses(): Promise<ProcessSummary[]> {
    return this.request('list', undefined, 120_000);
  }

  /**
   * Starts a script, or a known process or app by name; resolves once it runs or failed.
   * The options are checked here first, with the daemon's own rules (GUV_BAD_ARGUMENT).
   */
  async startProcess(scriptOrName: string, options: StartOptions = {}): Promise<ProcessSummary> {
    const cwd = options.cwd ?? process.cwd();
    // A folder runs its package: main, else `npm start`, else index.js, named after the package.
    const folder = folderTarget(scriptOrName, cwd);
    const params = parseStartOptions({
      ...options,
      target: folder?.target ?? scriptOrName,
      cwd: folder?.cwd ?? cwd,
      ...(folder ? { args: [...folder.args, ...(options.args ?? [])] } : {}),
      ...(folder?.name && !options.name ? { name: folder.name } : {}),
    });
    return this.request('start', params, 120_000);
  }

  /** Stops a process or cluster (graceful signal, then SIGKILL after its kill timeout). */
  stopProcess(target: string): Promise<ProcessSummary> {
    return this.request('stop', { target }, 120_000);
  }

  /** Stops and starts a process or cluster again. */
  restartProcess(
    target: string,
    options: { updateEnv?: boolean; env?: Record<string, string> } = {},
  ): Promise<ProcessSummary> {
    return this.request('restart', { target, ...options }, 120_000);
  }

  /** Stops a process and forgets it: it is no longer saved nor restored. */
  removeProcess(target: string): Promise<ProcessInfo> {
    return this.request('remove', { target }, 120_000);
  }

  /**
   * Reloads a cluster worker by worker, without downtime: resolves once every worker was
   * replaced; rejects with GUV_RELOAD_FAILED when a new worker could not start (the old ones
   * keep serving).
   */
  reload(target: string): Promise<ProcessSummary> {
    return this.request('reload', { target }, 600_000);
  }

  /** The same as {@link GuvClient.reload}. */
  reloadProcess(target: string): Promise<ProcessSummary> {
    return this.reload(target);
  }

  /** Sets a cluster's worker count; resolves once exactly that many run. Retired workers drain first. */
  resizeCluster(target: string, instances: number): Promise<ProcessSummary> {
    return this.request('resize', { target, instances }, 600_000);
  }

  /** Everything the daemon knows of one process: definition, last exit, metrics, log files (`guv info <p>`). */
  info(target: string): Promise<ProcessDetails> {
    return this.request('info', { target });
  }

  /** The chart history of a process or cluster, or with `worker` of one worker slot of a cluster. */
  why(target: string, options: { worker?: number } = {}): Promise<WhyReply> {
    return this.request('why', { target, ...options });
  }

  /** The stored uncaught exceptions of a process (every worker's for a cluster), oldest first. */
  exceptions(target: string): Promise<ExceptionsReply> {
    return this.request('exceptions', { target });
  }

  /** The log files of one process, or of every process when `target` is left out. */
  logFiles(target?: string): Promise<LogFileSet[]> {
    return this.request('logFiles', target === undefined ? {} : { target });
  }

  /** Empties the log files of one process, or of every process when `target` is left out. */
  flush(target?: string): Promise<{ files: string[] }> {
    return this.request('flush', target === undefined ? {} : { target });
  }

  /** Runs the garbage collector in a process (in every running worker of a cluster). */
  gc(target: string): Promise<{ ok: true; workers?: number }> {
    return this.request('gc', { target });
  }

  /**
   * Writes a heap snapshot of a process (one per running worker of a cluster) to `path` or its
   * log folder; with `summary`, also the `top` constructors by size.
   */
  heapdump(
    target: string,
    options: { path?: string; summary?: boolean; top?: number } = {},
  ): Promise<HeapdumpReply> {
    return this.request('heapdump', { target, ...options }, 600_000);
  }

  /** The daemon itself: pid, chart state, process count, memory and its optional listeners. */
  status(): Promise<DaemonStatus> {
    return this.request('status');
  }

  /** Every process's figures as OpenMetrics (default) or Prometheus text. */
  async metrics(format: 'openmetrics' | 'prometheus' = 'openmetrics'): Promise<string> {
    return (await this.request('metrics', { format })).text;
  }

  /** The daemon's configuration, or one setting of it by dotted path (`metricsPort`). */
  async config(path?: string): Promise<unknown> {
    return (await this.request('config', { path: path ?? null })).value;
  }

  /** Starts the web UI if needed; resolves to its URL with a one-time login code. */
  async ui(): Promise<string> {
    return (await this.request('ui')).url;
  }

  /** Saves the process list now (it is also saved on every change). */
  dump(): Promise<DumpReply> {
    return this.request('dump', undefined, 300_000);
  }

  /** Starts the saved processes that are not running; resolves with how many processes are known. */
  restore(): Promise<{ processes: number }> {
    return this.request('restore', undefined, 300_000);
  }

  /** Stops every process, saves the list and stops the daemon; the connection then closes. */
  async kill(): Promise<void> {
    await this.request('kill', undefined, 300_000);
  }

  /** Has the daemon exit leaving the keeper's processes running (`guv upgrade`). */
  async handover(): Promise<{ kept: number }> {
    return this.request('handover', undefined, 60_000);
  }

  /**
   * Clones `url` into the daemon's apps folder and installs its dependencies; resolves once
   * `app:installed` was published. `onOutput` receives git and npm output as it comes.
   */
  installApp(url: string, options: InstallAppOptions = {}): Promise<AppInfo> {
    return appRequests.install(this.#connection, url, options);
  }

  /** Installed apps with their checked-out ref and chart state. */
  listApps(): Promise<AppSummary[]> {
    return appRequests.list(this.#connection);
  }

  /** Deletes an app; refused while one of its processes runs unless `force` stops them first. */
  removeApp(name: string, options: { force?: boolean } = {}): Promise<AppInfo> {
    return appRequests.remove(this.#connection, name, options);
  }

  /** The app's branches and tags as of its last fetch, each with its commit. */
  listRefs(name: string): Promise<GitRef[]> {
    return appRequests.listRefs(this.#connection, name);
  }

  /** Fetches from the app's remote (`app:refs:updated`); resolves to the refs now known. */
  updateRefs(name: string, options: AppOutputOptions = {}): Promise<GitRef[]> {
    return appRequests.updateRefs(this.#connection, name, options);
  }

  /** Checks out a branch or tag and reinstalls dependencies (`app:refs:switched`). */
  setRef(name: string, ref: string, options: AppOutputOptions = {}): Promise<RefSwitch> {
    return appRequests.setRef(this.#connection, name, ref, options);
  }

  /** The ref and commit checked out in the app's folder. */
  currentRef(name: string): Promise<CurrentRef> {
    return appRequests.currentRef(this.#connection, name);
  }

  /** The process with this id, or null. */
  async findProcessInfoById(id: string): Promise<ProcessSummary | null> {
    return (await this.listProcesses()).find((p) => p.id === id) ?? null;
  }

  /** The process with this pid, or null. */
  async findProcessInfoByPid(pid: number): Promise<ProcessSummary | null> {
    return (await this.listProcesses()).find((p) => p.pid === pid) ?? null;
  }

  /** The process with this name, or null. */
  async findProcessInfoByName(name: string): Promise<ProcessSummary | null> {
    return (await this.listProcesses()).find((p) => p.name === name) ?? null;
  }

  /** A handle on one process (by id, name or pid). */
  process(target: string): ProcessHandle {
    return {
      id: target,
      kill: () => this.stopProcess(target),
      send: (event, ...args) => this.request('send', { target, event, args }),
      signal: (signal) => this.request('signal', { target, signal }),
      write: async (data) => {
        await this.request('write', { target, data });
      },
    };
  }

  /**
   * Listens to daemon events with the bus's names and patterns (`'process:exit'`,
   * `'worker:log:*'`, `'*'`); only matching events cross the socket. Resolves once the daemon
   * has the subscription, with a function that removes it.
   */
  on<K extends GuvEventName>(type: K, listener: ExactListener<GuvEvents, K>): Promise<Unsubscribe>;
  on<P extends PatternString>(
    pattern: P,
    listener: PatternListener<GuvEvents, P>,
  ): Promise<Unsubscribe>;
  async on(pattern: string, listener: (...args: never[]) => void): Promise<Unsubscribe> {
    const exact = !pattern.includes('*');
    const call = listener as (...args: unknown[]) => void;
    const wire = (type: string, args: unknown[]) => (exact ? call(...args) : call(type, ...args));
    await this.#connection.subscribe(pattern, wire);
    return () => this.#connection.unsubscribe(pattern, wire);
  }

  /** Closes the connection; the program can exit. */
  async disconnect(): Promise<void> {
    this.#connection.close();
  }
}

/** Connects to a running daemon; fails with GUV_DAEMON_NOT_RUNNING when there is none. */
export async function connect(options: ConnectOptions = {}): Promise<GuvClient> {
  const home = homeOf(options);
  return new GuvClient(
    await openConnection(home.socket, { timeoutMs: options.timeoutMs ?? 10_000 }),
  );
}

/** Connects to the daemon, starting it in the background first if none runs. */
export async function connectOrStart(options: ConnectOptions = {}): Promise<GuvClient> {
  const home = homeOf(options);
  const env = options.home ? { ...process.env, GUV_HOME: options.home } : process.env;
  const connection = await connectOrStartDaemon({
    home,
    daemonEntry: resolveDaemonEntry(),
    env,
    connection: { timeoutMs: options.timeoutMs ?? 10_000 },
  });
  return new GuvClient(connection);
}

/** Whether a daemon answers for this home. */
export async function running(options: ConnectOptions = {}): Promise<boolean> {
  try {
    const client = await connect({ ...options, timeoutMs: options.timeoutMs ?? 2000 });
    await client.disconnect();
    return true;
  } catch (error) {
    if (error instanceof GuvError && error.code === 'GUV_DAEMON_NOT_RUNNING') return false;
    throw error;
  }
}

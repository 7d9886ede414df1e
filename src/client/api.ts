import type { GuvEventName, GuvEvents } from '../bus/events.js';
import type { ExactListener, PatternListener, PatternString } from '../bus/listener-types.js';
import type { ProcessSummary, WorkerSummary } from '../daemon/rpc-methods.js';
import { type GuvHome, resolveHome } from '../protocol/home.js';
import { GuvError } from '../errors.js';
import type { HistoryEntry } from '../machines/history.js';
import {
  type AppInfo,
  type AppOutputOptions,
  type AppSummary,
  appRequests,
  type GitRef,
  type InstallAppOptions,
  type RefSwitch,
} from './apps.js';
import { connectOrStartDaemon } from './autostart.js';
import { type Connection, openConnection } from './connection.js';
import { resolveDaemonEntry } from './daemon-entry.js';

export type { ProcessSummary, WorkerSummary };
export type {
  AppInfo,
  AppOutputListener,
  AppOutputOptions,
  AppSummary,
  GitRef,
  InstallAppOptions,
  RefSwitch,
} from './apps.js';

export interface ConnectOptions {
  /** The daemon's home folder; defaults to `GUV_HOME`, then the user's (or root's) standard paths. */
  home?: string;
  /** Default time a request may take before it fails with GUV_RPC_TIMEOUT. */
  timeoutMs?: number;
}

/** What `startProcess` accepts besides the script; the CLI's flags, spelled out. */
export interface StartOptions {
  name?: string;
  args?: string[];
  execArgv?: string[];
  interpreter?: 'node' | 'none';
  cwd?: string;
  env?: Record<string, string>;
  user?: string;
  group?: string;
  instances?: number | 'max';
  restart?: 'always' | 'on-failure' | 'never';
  killTimeoutMs?: number;
  startTimeoutMs?: number;
  /** The app signals readiness itself with `process.send('ready')`. */
  appReadiness?: boolean;
  /** Start paused, waiting for a debugger (`--inspect-brk`). */
  debug?: boolean;
  /** Restart-policy numbers (defaults: 10 failures in 10 min abort; 30 s up is stable; backoff 100 ms ×2 up to 15 s). */
  policy?: {
    maxFailures?: number;
    windowMs?: number;
    stableMs?: number;
    backoffBaseMs?: number;
    backoffCapMs?: number;
  };
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

  /** The raw request, for methods this class does not wrap. */
  request<T = unknown>(method: string, params?: unknown, timeoutMs?: number): Promise<T> {
    return this.#connection.request<T>(
      method,
      params,
      timeoutMs === undefined ? {} : { timeoutMs },
    );
  }

  listProcesses(): Promise<ProcessSummary[]> {
    return this.request('list', undefined, 120_000);
  }

  startProcess(scriptOrName: string, options: StartOptions = {}): Promise<ProcessSummary> {
    return this.request(
      'start',
      { ...options, target: scriptOrName, cwd: options.cwd ?? process.cwd() },
      120_000,
    );
  }

  stopProcess(target: string): Promise<ProcessSummary> {
    return this.request('stop', { target }, 120_000);
  }

  restartProcess(target: string): Promise<ProcessSummary> {
    return this.request('restart', { target }, 120_000);
  }

  removeProcess(target: string): Promise<ProcessSummary> {
    return this.request('remove', { target }, 120_000);
  }

  /**
   * Reloads a cluster worker by worker, without downtime: resolves once every worker was
   * replaced; rejects with GUV_RELOAD_FAILED when a new worker could not start (the old ones
   * keep serving).
   */
  reloadProcess(target: string): Promise<ProcessSummary> {
    return this.request('reload', { target }, 600_000);
  }

  /** Sets a cluster's worker count; resolves once exactly that many run. Retired workers drain first. */
  resizeCluster(target: string, instances: number): Promise<ProcessSummary> {
    return this.request('resize', { target, instances }, 600_000);
  }

  /** The chart history of a process or cluster, or with `worker` of one worker slot of a cluster. */
  why(
    target: string,
    options: { worker?: number } = {},
  ): Promise<{ name: string; history: HistoryEntry[]; lines: string[] }> {
    return this.request('why', { target, ...options });
  }

  /**
   * Clones `url` into the daemon's apps folder and installs its dependencies; resolves once
   * `app:installed` was published. `onOutput` receives git and npm output as it comes.
   */
  installApp(url: string, options: InstallAppOptions = {}): Promise<AppInfo> {
    return appRequests.install(this, url, options);
  }

  /** Installed apps with their checked-out ref and chart state. */
  listApps(): Promise<AppSummary[]> {
    return appRequests.list(this);
  }

  /** Deletes an app; refused while one of its processes runs unless `force` stops them first. */
  removeApp(name: string, options: { force?: boolean } = {}): Promise<AppInfo> {
    return appRequests.remove(this, name, options);
  }

  /** The app's branches and tags as of its last fetch, each with its commit. */
  listRefs(name: string): Promise<GitRef[]> {
    return appRequests.listRefs(this, name);
  }

  /** Fetches from the app's remote (`app:refs:updated`); resolves to the refs now known. */
  updateRefs(name: string, options: AppOutputOptions = {}): Promise<GitRef[]> {
    return appRequests.updateRefs(this, name, options);
  }

  /** Checks out a branch or tag and reinstalls dependencies (`app:refs:switched`). */
  setRef(name: string, ref: string, options: AppOutputOptions = {}): Promise<RefSwitch> {
    return appRequests.setRef(this, name, ref, options);
  }

  /** The ref and commit checked out in the app's folder. */
  currentRef(name: string): Promise<{ ref: string | null; commit: string }> {
    return appRequests.currentRef(this, name);
  }

  async findProcessInfoById(id: string): Promise<ProcessSummary | null> {
    return (await this.listProcesses()).find((p) => p.id === id) ?? null;
  }

  async findProcessInfoByPid(pid: number): Promise<ProcessSummary | null> {
    return (await this.listProcesses()).find((p) => p.pid === pid) ?? null;
  }

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

// What the daemon answers, as plain JSON. Type-only imports: nothing here costs a load.
import type { GitRef } from '../apps/refs.js';
import type { StoredException } from '../crash/exception-store.js';
import type { HeapScan } from '../heap/snapshot-scan.js';
import type { HistoryEntry } from '../machines/history.js';
import type { ProcessSpec } from '../machines/process/child-protocol.js';
import type { SupervisionTimeouts } from '../machines/process/supervision-context.js';
import type { SupervisionTriggers } from '../machines/process/triggers.js';
import type { LogSettings } from '../logs/log-settings.js';
import type { RestartPolicyOptions } from '../machines/restart-policy.js';
import type { StartVerdict } from '../machines/start-verdict.js';
import type { MetricsSample } from '../metrics/history.js';
import type { AppInfo, ProcessInfo, WorkerInfo } from '../types/info.js';

export type { AppInfo, GitRef, HistoryEntry, MetricsSample, StoredException };

/**
 * What the user wants running: everything needed to (re)create a process after a daemon
 * restart. This, not an XState snapshot, is what the daemon persists.
 */
export interface ProcessDefinition {
  id: string;
  name: string;
  spec: ProcessSpec;
  /** null: one process; a number: a cluster of that many workers. */
  instances: number | null;
  policy: Partial<RestartPolicyOptions>;
  timeouts: Partial<SupervisionTimeouts>;
  /** The installed app this process runs, if any. */
  app: string | null;
  /** Watch, memory limit, cron restart; absent in lists saved before they existed. */
  triggers?: SupervisionTriggers;
  /** Time prefix and extra log files; absent in lists saved before they existed. */
  logs?: LogSettings;
}

/** One worker row of a cluster in `guv list`. */
export interface WorkerSummary extends WorkerInfo {
  /** The serving worker of its slot, a reload's new one, or one being retired. */
  role: 'serving' | 'incoming' | 'retiring';
  cpu: number | null;
  memory: number | null;
  uptime: number | null;
}

/** One row of `guv list`: the bus's ProcessInfo plus live figures. */
export interface ProcessSummary extends ProcessInfo {
  /** CPU % since the previous `list` (100 = one core). */
  cpu: number | null;
  /** Resident memory in bytes. */
  memory: number | null;
  /** Ms since the current run started, or null. */
  uptime: number | null;
  instances: number | null;
  /** 'cluster' for a cluster manager with its workers. */
  kind: 'process' | 'cluster';
  /** Clusters only: the chart's state (starting, ready, online, reloading…). */
  state?: string;
  /** Clusters only: every worker, serving ones by slot, then a reload's new one and retiring ones. */
  workers?: WorkerSummary[];
  /** Answers to start/stop/restart only, for a single process: how its last run ended, if it did. */
  lastExit?: { code: number | null; signal: string | null } | null;
  /** Answers to start/restart only: the outcome, judged and in words (`web is running`). */
  outcome?: StartOutcome;
}

/** A start's verdict (see machines/start-verdict.ts) with its line and whether it went as asked. */
export type StartOutcome = StartVerdict & { text: string; ok: boolean };

/** The newest transition caused by an exit. */
export interface LastExit {
  time: number;
  code: number | null;
  signal: string | null;
  /** The status the exit led to. */
  status: string;
}

/** `info`: everything the daemon knows of one process or cluster. */
export interface ProcessDetails extends Omit<ProcessSummary, 'lastExit'> {
  definition: ProcessDefinition;
  /** What the user wants: running or stopped. */
  desired: string;
  metrics: MetricsSample | null;
  lastException: StoredException | null;
  lastExit: LastExit | null;
  /** When the cron restart (`--cron-restart`) fires next, epoch ms; null without one or when not running. */
  cronNextAt: number | null;
  /** Whether its file watcher (`--watch`) is in place now. */
  watching: boolean;
  lastError: unknown;
  logFiles: string[];
  /** `guv info <worker>`: the worker's cluster and slot (the rest describes the worker). */
  worker?: { cluster: string; clusterId: string; index: number };
}

/** What `guv info` shows of an optional listener (the metrics endpoint, the web UI). */
export type ListenerStatus =
  | { state: 'off' }
  | { state: 'listening'; url: string }
  | {
      state: 'failed';
      /** One line: what could not be opened, and why. */
      error: string;
      since: number;
      /** When the next try is due; null once the daemon gave up. */
      retryAt: number | null;
    };

/** `status`: the daemon itself. */
export interface DaemonStatus {
  pid: number;
  /** guv's version, as the daemon's package.json says (a daemon older than the CLI shows it). */
  version: string;
  /** Seconds since the daemon started. */
  uptimeSeconds: number;
  /** The daemon's folders: its socket, state and logs. */
  home: { socket: string; state: string; logs: string };
  /** The daemon chart's state (booting, running, stopping…). */
  state: unknown;
  processes: number;
  memory: NodeJS.MemoryUsage;
  listeners: { metrics: ListenerStatus; web: ListenerStatus };
  /** The machine the daemon runs on (the dashboard's hosts page); absent from older daemons. */
  system?: SystemFigures;
}

/** A machine's figures at one moment: CPU % comes from two readings of `cpuTimes`. */
export interface SystemFigures {
  hostname: string;
  platform: string;
  cpus: number;
  /** Milliseconds every CPU spent in all modes, and idle, since boot. */
  cpuTimes: { total: number; idle: number };
  loadavg: number[];
  totalmem: number;
  freemem: number;
  uptimeSeconds: number;
}

/** `why`: the chart history of a process, a cluster or one worker slot. */
export interface WhyReply {
  name: string;
  history: HistoryEntry[];
  /** The history as sentences, each restart with the exception that caused it. */
  lines: string[];
}

export interface ExceptionsReply {
  name: string;
  exceptions: StoredException[];
}

/** The log files of one process (a cluster's manager files, then each worker slot's). */
export interface LogFileSet {
  name: string;
  files: string[];
}

export interface DumpReply {
  /** The file the process list was written to. */
  file: string;
  processes: number;
}

/** A snapshot written by `heapdump`, with its top constructors when a summary was asked for. */
export interface HeapSnapshotFile {
  path: string;
  summary?: HeapScan;
}

/** `heapdump`: one snapshot; a cluster's answer also lists one per running worker. */
export interface HeapdumpReply extends Partial<HeapSnapshotFile> {
  workers?: HeapSnapshotFile[];
}

/** An installed app with its chart's state. */
export interface AppSummary extends AppInfo {
  state: string;
}

export interface RefSwitch {
  app: AppInfo;
  oldRef: string | null;
  newRef: string;
}

export interface CurrentRef {
  ref: string | null;
  commit: string;
}

/** Who may call the remote RPC: an admin calls anything, a read-only user only read methods. */
export type RemoteRole = 'admin' | 'read-only';

/** A remote user as `listUsers` shows it: never the secret. */
export interface RemoteUser {
  name: string;
  role: RemoteRole;
}

/** `addUser` and `resetUser`: the user with the secret a client signs its requests with. */
export interface RemoteUserSecret extends RemoteUser {
  secret: string;
}

/**
 * `remoteConfig`: what a remote client needs to reach this daemon. `user` and `secret` only
 * when a user was named; `port` is the one actually bound while it listens.
 */
export interface RemoteAccess {
  listener: ListenerStatus;
  host: string;
  port: number;
  /** SHA-256 of the certificate (DER), `AB:CD:…`, as the client pins it. */
  fingerprint: string;
  user?: string;
  secret?: string;
}

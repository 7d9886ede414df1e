import { truncateText } from '../actors/wrapper/parse-message.js';
import { WRAPPER_LIMITS } from '../actors/wrapper/protocol.js';
import {
  type LogAccess,
  type LogLevel,
  createLogWriter,
  logFilePath,
  type LogWriter,
} from './index.js';
import type { ClusterInfo, ProcessInfo, WorkerInfo } from '../types/info.js';
import type { EventHub } from '../daemon/event-hub.js';
import type { LogSettings } from './log-settings.js';
import { type FileOwner, openUserLogFile, type UserLogFile } from './user-log-file.js';

export interface OutputRouterOptions {
  logsDir: string;
  hub: EventHub;
  maxBytes: number;
  keep: number;
  /** Modes and group of the log files and folders; default private. */
  access?: LogAccess;
  /** The live info of a process, for log events. */
  infoOf(id: string): ProcessInfo | null;
  /** The live info of a cluster and of one of its workers, for `worker:log:*` events. */
  workerInfoOf?(clusterId: string, workerId: string): [ClusterInfo, WorkerInfo] | null;
  onError(error: Error): void;
  /** The log options of a process (or cluster) and whose files they are; null: the defaults. */
  logSettingsOf?(id: string): { logs: LogSettings; owner: FileOwner } | null;
}
import { CLUSTER_LOG_EVENT, LOG_EVENT, WORKER_LOG_EVENT } from './log-event-names.js';

const LEVEL_OF_STREAM = { stdout: 'info', stderr: 'error' } as const;
/**
 * A record's level and text come from a child: only the four levels ever pick a file or an
 * event name (never `constructor` or `../x` as a key), and a record is cut to its cap.
 */
function admit(level: unknown, message: unknown): message is string {
  return (
    typeof level === 'string' && Object.hasOwn(LOG_EVENT, level) && typeof message === 'string'
  );
}

/** Whose output it is: a process, a cluster's manager, or one of its workers. */
type Source =
  | { kind: 'process' | 'cluster'; id: string; name: string }
  | { kind: 'worker'; id: string; name: string; workerId: string; index: number };

/**
 * Sends each child's output to its log files, and to the bus as `process:log:*` events only
 * while someone watches them, so an unwatched flood costs nothing beyond the file write.
 */
export function createOutputRouter(options: OutputRouterOptions) {
  const writers = new Map<string, Map<LogLevel, LogWriter>>();
  /** The files users named, by process id: standard output's and standard error's. */
  const userFiles = new Map<string, { out: UserLogFile | null; err: UserLogFile | null }>();

  /** The file the user named for `level` of process `id` (info and debug: out; error, warn: err). */
  function userFileFor(id: string, level: LogLevel): UserLogFile | null {
    let files = userFiles.get(id);
    if (!files) {
      const settings = options.logSettingsOf?.(id) ?? null;
      const open = (path: string | null | undefined) =>
        settings && path
          ? openUserLogFile(path, settings.owner, {
              time: settings.logs.time,
              onError: options.onError,
            })
          : null;
      files = { out: open(settings?.logs.outFile), err: open(settings?.logs.errorFile) };
      userFiles.set(id, files);
    }
    return level === 'info' || level === 'debug' ? files.out : files.err;
  }

  function writerFor(id: string, name: string, level: LogLevel, workerIndex?: number): LogWriter {
    let byLevel = writers.get(id);
    if (!byLevel) {
      byLevel = new Map();
      writers.set(id, byLevel);
    }
    // Keyed by level, or by worker slot and level: a cluster's workers share one slot's files.
    const key = (workerIndex === undefined ? level : `${workerIndex}.${level}`) as LogLevel;
    let writer = byLevel.get(key);
    if (!writer) {
      writer = createLogWriter({
        path: logFilePath(options.logsDir, name, level, workerIndex),
        maxBytes: options.maxBytes,
        keep: options.keep,
        access: options.access,
        onError: options.onError,
      });
      byLevel.set(key, writer);
    }
    return writer;
  }

  function publishLines(id: string, level: LogLevel, text: string): void {
    const type = LOG_EVENT[level];
    if (!options.hub.isWatched(type)) return;
    const info = options.infoOf(id);
    if (!info) return;
    const date = Date.now();
    for (const line of text.split('\n')) {
      if (line.length > 0) options.hub.emit(type, info, { date, message: line });
    }
  }

  /** `cluster:log:*` or `worker:log:*` lines, built only while someone watches. */
  function publishClusterLines(source: Source, level: LogLevel, data: Buffer | string): void {
    const type = source.kind === 'worker' ? WORKER_LOG_EVENT[level] : CLUSTER_LOG_EVENT[level];
    if (!options.hub.isWatched(type)) return;
    const date = Date.now();
    const lines = data
      .toString()
      .split('\n')
      .filter((line) => line.length > 0);
    if (source.kind === 'worker') {
      const infos = options.workerInfoOf?.(source.id, source.workerId);
      if (!infos) return;
      for (const message of lines)
        options.hub.emit(WORKER_LOG_EVENT[level], infos[0], infos[1], { date, message });
      return;
    }
    const info = options.infoOf(source.id) as ClusterInfo | null;
    if (!info) return;
    for (const message of lines)
      options.hub.emit(CLUSTER_LOG_EVENT[level], info, { date, message });
  }

  function clusterWriter(source: Source, level: LogLevel): LogWriter {
    return source.kind === 'worker'
      ? writerFor(source.id, source.name, level, source.index)
      : writerFor(source.id, source.name, level);
  }

  return {
    /** Output of a cluster's manager (`kind: 'cluster'`) or of one of its workers. */
    clusterOutput(source: Source, stream: 'stdout' | 'stderr', data: Buffer | string): void {
      const level = LEVEL_OF_STREAM[stream];
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      clusterWriter(source, level).write(bytes);
      // The app's output only: the manager's own lines stay in guv's files.
      if (source.kind === 'worker') userFileFor(source.id, level)?.write(bytes);
      publishClusterLines(source, level, data);
    },
    /** A log record of a cluster's worker (from its wrapper). */
    clusterRecord(source: Source, level: LogLevel, message: string): void {
      if (!admit(level, message)) return;
      const text = truncateText(message, WRAPPER_LIMITS.logMessage);
      clusterWriter(source, level).writeRecord(text);
      if (source.kind === 'worker') userFileFor(source.id, level)?.writeRecord(text);
      publishClusterLines(source, level, text);
    },
    /** A cluster's output the keeper already wrote to the files: published only. */
    publishClusterOutput(source: Source, stream: 'stdout' | 'stderr', data: Buffer | string): void {
      publishClusterLines(source, LEVEL_OF_STREAM[stream], data);
    },
    /** A cluster's log record the keeper already wrote to the files: published only. */
    publishClusterRecord(source: Source, level: LogLevel, message: string): void {
      if (!admit(level, message)) return;
      publishClusterLines(source, level, truncateText(message, WRAPPER_LIMITS.logMessage));
    },
    /** The log files of one worker slot. */
    workerFiles(name: string, index: number): string[] {
      return (['info', 'error', 'warn', 'debug'] as const).map((level) =>
        logFilePath(options.logsDir, name, level, index),
      );
    },
    /** Resolves-when-drained promise when the log file's queue is full: pause the source until then. */
    output(
      id: string,
      name: string,
      stream: 'stdout' | 'stderr',
      chunk: Buffer,
    ): Promise<void> | undefined {
      const level = LEVEL_OF_STREAM[stream];
      const writer = writerFor(id, name, level);
      const accepted = writer.write(chunk);
      userFileFor(id, level)?.write(chunk);
      if (options.hub.isWatched(LOG_EVENT[level])) publishLines(id, level, chunk.toString('utf8'));
      return accepted ? undefined : new Promise<void>((resolve) => writer.once('drain', resolve));
    },
    /**
     * Output the keeper already wrote to the files (src/keeper): published only, and only while
     * someone watches.
     */
    publishOutput(id: string, stream: 'stdout' | 'stderr', chunk: Buffer): void {
      const level = LEVEL_OF_STREAM[stream];
      if (options.hub.isWatched(LOG_EVENT[level])) publishLines(id, level, chunk.toString('utf8'));
    },
    /** A wrapper's log record the keeper already wrote to the files: published only. */
    publishRecord(id: string, level: LogLevel, message: string): void {
      if (!admit(level, message)) return;
      publishLines(id, level, truncateText(message, WRAPPER_LIMITS.logMessage));
    },
    record(id: string, name: string, level: LogLevel, message: string): void {
      if (!admit(level, message)) return;
      const text = truncateText(message, WRAPPER_LIMITS.logMessage);
      writerFor(id, name, level).writeRecord(text);
      userFileFor(id, level)?.writeRecord(text);
      publishLines(id, level, text);
    },
    files(name: string): string[] {
      return (['info', 'error', 'warn', 'debug'] as const).map((level) =>
        logFilePath(options.logsDir, name, level),
      );
    },
    async close(id: string): Promise<void> {
      const byLevel = writers.get(id);
      writers.delete(id);
      const named = userFiles.get(id);
      userFiles.delete(id);
      await Promise.allSettled([named?.out?.close(), named?.err?.close()]);
      if (byLevel) await Promise.allSettled([...byLevel.values()].map((writer) => writer.close()));
    },
    async closeAll(): Promise<void> {
      const ids = new Set([...writers.keys(), ...userFiles.keys()]);
      await Promise.allSettled([...ids].map((id) => this.close(id)));
    },
  };
}

export type OutputRouter = ReturnType<typeof createOutputRouter>;

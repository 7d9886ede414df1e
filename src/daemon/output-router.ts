import { type LogLevel, createLogWriter, logFilePath, type LogWriter } from '../logs/index.js';
import type { ProcessInfo } from '../types/info.js';
import type { EventHub } from './event-hub.js';

export interface OutputRouterOptions {
  logsDir: string;
  hub: EventHub;
  maxBytes: number;
  keep: number;
  /** The live info of a process, for log events. */
  infoOf(id: string): ProcessInfo | null;
  onError(error: Error): void;
}

const LEVEL_OF_STREAM = { stdout: 'info', stderr: 'error' } as const;
const LOG_EVENT = {
  info: 'process:log:info',
  warn: 'process:log:warn',
  error: 'process:log:error',
  debug: 'process:log:debug',
} as const;

/**
 * Sends each child's output to its log files, and to the bus as `process:log:*` events only
 * while someone watches them, so an unwatched flood costs nothing beyond the file write.
 */
export function createOutputRouter(options: OutputRouterOptions) {
  const writers = new Map<string, Map<LogLevel, LogWriter>>();

  function writerFor(id: string, name: string, level: LogLevel): LogWriter {
    let byLevel = writers.get(id);
    if (!byLevel) {
      byLevel = new Map();
      writers.set(id, byLevel);
    }
    let writer = byLevel.get(level);
    if (!writer) {
      writer = createLogWriter({
        path: logFilePath(options.logsDir, name, level),
        maxBytes: options.maxBytes,
        keep: options.keep,
        onError: options.onError,
      });
      byLevel.set(level, writer);
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

  return {
    output(id: string, name: string, stream: 'stdout' | 'stderr', chunk: Buffer): void {
      const level = LEVEL_OF_STREAM[stream];
      writerFor(id, name, level).write(chunk);
      if (options.hub.isWatched(LOG_EVENT[level])) publishLines(id, level, chunk.toString('utf8'));
    },
    record(id: string, name: string, level: LogLevel, message: string): void {
      writerFor(id, name, level).writeRecord(message);
      publishLines(id, level, message);
    },
    files(name: string): string[] {
      return (['info', 'error', 'warn', 'debug'] as const).map((level) =>
        logFilePath(options.logsDir, name, level),
      );
    },
    async close(id: string): Promise<void> {
      const byLevel = writers.get(id);
      writers.delete(id);
      if (byLevel) await Promise.allSettled([...byLevel.values()].map((writer) => writer.close()));
    },
    async closeAll(): Promise<void> {
      await Promise.allSettled([...writers.keys()].map((id) => this.close(id)));
    },
  };
}

export type OutputRouter = ReturnType<typeof createOutputRouter>;

import type { Bus } from '../bus/bus.js';
import { CLUSTER_LOG_EVENT, LOG_EVENT, WORKER_LOG_EVENT } from '../logs/log-event-names.js';
import type { LogRecord, ProcessInfo, WorkerInfo } from '../types/info.js';
import { exitMessage, jsonFact, type LifecycleFact, rawFact } from './lifecycle-lines.js';
import { type AppLine, isErrorLine, jsonLine, rawLine } from './log-lines.js';

export interface LogPrinterOptions {
  bus: Bus;
  raw: boolean;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const LEVELS = ['info', 'warn', 'error', 'debug'] as const;

/**
 * Prints every app's lines (processes, cluster managers, workers) on this process's stdout and
 * stderr, one line per line the app wrote, and on stderr what supervision did to them (exits,
 * restarts, give-ups). Returns the function that stops printing.
 */
export function printAppLogs(options: LogPrinterOptions): () => void {
  const format = options.raw ? rawLine : jsonLine;
  const print = (line: AppLine) =>
    (isErrorLine(line) ? options.stderr : options.stdout).write(`${format(line)}\n`);
  const of = (info: ProcessInfo, level: AppLine['level'], log: LogRecord): AppLine => ({
    app: info.name,
    id: info.id,
    level,
    date: log.date,
    message: log.message,
  });
  const stops = LEVELS.flatMap((level) => [
    options.bus.on(LOG_EVENT[level], (info, log) => print(of(info, level, log))),
    options.bus.on(CLUSTER_LOG_EVENT[level], (info, log) => print(of(info, level, log))),
    options.bus.on(WORKER_LOG_EVENT[level], (cluster, worker: WorkerInfo, log) =>
      print({ ...of(cluster, level, log), worker: worker.index }),
    ),
  ]);
  const formatFact = options.raw ? rawFact : jsonFact;
  const say = (info: ProcessInfo, event: string, message: string) => {
    const fact: LifecycleFact = { app: info.name, id: info.id, event, message, date: Date.now() };
    options.stderr.write(`${formatFact(fact)}\n`);
  };
  const bus = options.bus;
  stops.push(
    bus.on('process:exit', (info, _error, code, signal) =>
      say(info, 'process:exit', exitMessage(code, signal)),
    ),
    bus.on('process:restarting', (info, delayMs) =>
      say(info, 'process:restarting', `restarts in ${delayMs} ms`),
    ),
    bus.on('process:aborted', (info, error) =>
      say(info, 'process:aborted', `gave up: ${error.message}`),
    ),
    bus.on('cluster:restarting', (info, delayMs) =>
      say(info, 'cluster:restarting', `restarts in ${delayMs} ms`),
    ),
    bus.on('cluster:aborted', (info, error) =>
      say(info, 'cluster:aborted', `gave up: ${error.message}`),
    ),
  );
  return () => {
    for (const stop of stops) stop();
  };
}

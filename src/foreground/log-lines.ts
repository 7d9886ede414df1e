/** One line an app wrote, as the foreground run prints it. */
export interface AppLine {
  app: string;
  /** The process id (guv's, e.g. `web-1a2b`), not the pid. */
  id: string;
  /** The worker's index, for a cluster's worker. */
  worker?: number;
  level: 'info' | 'warn' | 'error' | 'debug';
  date: number;
  message: string;
}

/** Whether a line goes to stderr: what the app wrote there, and its warnings. */
export function isErrorLine(line: AppLine): boolean {
  return line.level === 'error' || line.level === 'warn';
}

/**
 * A line as one JSON object, with pm2-runtime's `--json` keys (`app_name`, `process_id`,
 * `type`, `timestamp`) so that log pipelines set up for pm2 keep working.
 *
 * @example
 * jsonLine({ app: 'web', id: 'web-1', level: 'info', date: 0, message: 'hi' });
 * // '{"timestamp":"1970-01-01T00:00:00.000Z","app_name":"web","process_id":"web-1","type":"out","level":"info","message":"hi"}'
 */
export function jsonLine(line: AppLine): string {
  return JSON.stringify({
    timestamp: new Date(line.date).toISOString(),
    app_name: line.app,
    process_id: line.id,
    ...(line.worker === undefined ? {} : { worker: line.worker }),
    type: isErrorLine(line) ? 'err' : 'out',
    level: line.level,
    message: line.message,
  });
}

/** `web | listening on 3000`; a worker's lines are `web#1 | …`. */
export function rawLine(line: AppLine): string {
  const who = line.worker === undefined ? line.app : `${line.app}#${line.worker}`;
  return `${who} | ${line.message}`;
}

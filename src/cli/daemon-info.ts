import type { ListenerStatus } from '../client/api.js';
import type { CliIO } from './command.js';
import { withClient } from './connect.js';
import { formatBytes } from './format/units.js';

function describe(listener: ListenerStatus, off: string): string {
  if (listener.state === 'off') return off;
  if (listener.state === 'listening') return `listening on ${listener.url}`;
  const retry =
    listener.retryAt === null
      ? ''
      : `; trying again at ${new Date(listener.retryAt).toISOString()}`;
  return `failed: ${listener.error}${retry}`;
}

/** `guv info` without a process: the daemon itself, and why an optional listener is down. */
export async function daemonInfo(io: CliIO, json: boolean): Promise<number> {
  const d = await withClient(io.env, (client) => client.status());
  if (json) {
    io.stdout.write(`${JSON.stringify(d, null, 2)}\n`);
    return 0;
  }
  const lines: [string, string][] = [
    ['daemon', `pid ${d.pid}, ${String(d.state)}`],
    ['processes', String(d.processes)],
    ['memory', formatBytes(d.memory.rss)],
    ['metrics', describe(d.listeners.metrics, 'off (no metricsPort in guv.json)')],
    ['web ui', describe(d.listeners.web, 'off (starts on guv ui)')],
  ];
  for (const [key, value] of lines) io.stdout.write(`${key.padEnd(17)} ${value}\n`);
  return 0;
}

import type { CliCommand } from '../command.js';
import { clientIfRunning } from '../connect.js';
import { formatUptime } from '../format/units.js';

/** systemd's and LSB's status for "not running", so scripts can tell it from a failure (1). */
const NOT_RUNNING = 3;

/** `guv status`: asks the daemon how it is, and never starts one. */
const status: CliCommand<{ json?: boolean }> = async ({ options: values }, io) => {
  const client = await clientIfRunning(io.env);
  if (client === null) {
    if (values.json) io.stdout.write(`${JSON.stringify({ running: false })}\n`);
    else io.stdout.write('guv daemon is not running\n');
    return NOT_RUNNING;
  }
  try {
    const d = await client.status();
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ running: true, ...d }, null, 2)}\n`);
      return 0;
    }
    const lines: [string, string][] = [
      ['guv daemon', `running (${String(d.state)})`],
      ['pid', String(d.pid)],
      ['version', d.version],
      ['uptime', formatUptime(d.uptimeSeconds * 1000)],
      ['processes', String(d.processes)],
      ['socket', d.home.socket],
      ['state', d.home.state],
      ['logs', d.home.logs],
    ];
    for (const [key, value] of lines) io.stdout.write(`${key.padEnd(11)} ${value}\n`);
    return 0;
  } finally {
    await client.disconnect();
  }
};

export default status;

import { parseArgs } from 'node:util';
import type { CliCommand } from '../command.js';
import { withClient } from '../connect.js';
import { renderTable } from '../format/table.js';
import { formatBytes, formatUptime } from '../format/units.js';

/** `guv list [--json]`: every process with its pid, status, uptime, restarts, CPU and memory. */
const list: CliCommand = async (args, io) => {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' } }, strict: true });
  const processes = await withClient(io.env, (client) => client.listProcesses());
  if (values.json) {
    io.stdout.write(`${JSON.stringify(processes, null, 2)}\n`);
    return 0;
  }
  if (processes.length === 0) {
    io.stdout.write('no processes\n');
    return 0;
  }
  const rows = processes.map((p) => [
    p.id,
    p.name,
    p.pid === null ? '-' : String(p.pid),
    p.status,
    formatUptime(p.uptime),
    String(p.restarts),
    p.cpu === null ? '-' : `${p.cpu}%`,
    formatBytes(p.memory),
  ]);
  io.stdout.write(
    `${renderTable(['id', 'name', 'pid', 'status', 'uptime', 'restarts', 'cpu', 'memory'], rows)}\n`,
  );
  return 0;
};

export default list;

import type { CliCommand } from '../command.js';
import type { ProcessSummary } from '../../client/api.js';
import { withClient } from '../connect.js';
import { paint, statusColor } from '../format/color.js';
import { renderTable } from '../format/table.js';
import { formatBytes, formatUptime } from '../format/units.js';

/** The status column, coloured on a terminal. */
const STATUS = 3;

/** `guv list [--json]`: every process with its pid, status, uptime, restarts, CPU and memory. */
const list: CliCommand<{ json?: boolean }> = async ({ options: values }, io) => {
  const processes = await withClient(io.env, (client) => client.listProcesses());
  if (values.json) {
    io.stdout.write(`${JSON.stringify(processes, null, 2)}\n`);
    return 0;
  }
  if (processes.length === 0) {
    io.stdout.write('no processes\n');
    return 0;
  }
  const row = (
    id: string,
    name: string,
    p: Pick<ProcessSummary, 'pid' | 'status' | 'uptime' | 'restarts' | 'cpu' | 'memory'>,
  ) => [
    id,
    name,
    p.pid === null ? '-' : String(p.pid),
    p.status,
    formatUptime(p.uptime),
    String(p.restarts),
    p.cpu === null ? '-' : `${p.cpu}%`,
    formatBytes(p.memory),
  ];
  // A cluster's row is its manager; its workers follow, indented, named by slot.
  const rows = processes.flatMap((p) => [
    row(p.id, p.kind === 'cluster' ? `${p.name} (${p.state ?? p.status})` : p.name, p),
    ...(p.workers ?? []).map((w) =>
      row(`  ${w.id}`, `  worker ${w.index}${w.role === 'serving' ? '' : ` (${w.role})`}`, w),
    ),
  ]);
  io.stdout.write(
    `${renderTable(['id', 'name', 'pid', 'status', 'uptime', 'restarts', 'cpu', 'memory'], rows, (cell, column) => (column === STATUS ? paint(io.color, statusColor(cell), cell) : cell))}\n`,
  );
  return 0;
};

export default list;

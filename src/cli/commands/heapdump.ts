import { resolve } from 'node:path';
import { GuvError } from '../../errors.js';
import type { CliCommand } from '../command.js';
import { withClient } from '../connect.js';
import { renderTable } from '../format/table.js';
import { formatBytes } from '../format/units.js';

/**
 * `guv heapdump <p> [file] [--summary] [--top N]`: writes a heap snapshot (one per running worker
 * of a cluster: `<file>-worker<index>.heapsnapshot`); `--summary` prints the top constructors.
 */
const heapdump: CliCommand<{ summary?: boolean; top: string }> = async (
  { args: [target = '', file], options: values },
  io,
) => {
  if (!/^\d+$/.test(values.top))
    throw new GuvError('GUV_BAD_ARGUMENT', `--top must be a number, got "${values.top}"`);
  const options = {
    ...(file === undefined ? {} : { path: resolve(file) }),
    ...(values.summary ? { summary: true, top: Number(values.top) } : {}),
  };
  const result = await withClient(io.env, (client) => client.heapdump(target, options));
  for (const snapshot of result.workers ?? [result]) {
    io.stdout.write(`${snapshot.path ?? '-'}\n`);
    if (!snapshot.summary) continue;
    const rows = snapshot.summary.constructors.map((c) => [
      c.constructor,
      String(c.count),
      formatBytes(c.selfSize),
    ]);
    io.stdout.write(`${renderTable(['constructor', 'count', 'self size'], rows)}\n`);
  }
  return 0;
};

export default heapdump;

import { GuvError } from '../../errors.js';
import type { CliCommand } from '../command.js';
import { withClient } from '../connect.js';

/** `guv why <p>`: the chart's transition history with causes, oldest first; `--worker n` for a cluster's worker slot. */
const why: CliCommand<{ worker?: string }> = async (
  { args: [target = ''], options: values },
  io,
) => {
  if (values.worker !== undefined && !/^\d+$/.test(values.worker)) {
    throw new GuvError(
      'GUV_BAD_ARGUMENT',
      `--worker must be a worker index, got "${values.worker}"`,
    );
  }
  const options = values.worker === undefined ? {} : { worker: Number(values.worker) };
  const { name, lines } = await withClient(io.env, (client) => client.why(target, options));
  io.stdout.write(
    lines.length === 0
      ? `${name}: no transitions yet\n`
      : `${name}\n${lines.map((l) => `  ${l}`).join('\n')}\n`,
  );
  return 0;
};

export default why;

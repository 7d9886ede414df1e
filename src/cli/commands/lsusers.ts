import { parseArgs } from 'node:util';
import { GuvError } from '../../errors.js';
import { lsusers as run } from '../../remote/cli/user-commands.js';
import type { CliCommand } from '../command.js';

const USAGE = 'guv lsusers [--json]   the remote users and their roles';

const lsusers: CliCommand = async (args, io) => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    io.stdout.write(`usage: ${USAGE}\n`);
    return 0;
  }
  if (positionals.length > 0) throw new GuvError('GUV_USAGE', `usage: ${USAGE}`);
  return run({ json: values.json === true }, io);
};

export default lsusers;

import { parseArgs } from 'node:util';
import { GuvError } from '../../errors.js';
import { reset as run } from '../../remote/cli/user-commands.js';
import type { CliCommand } from '../command.js';

const USAGE = 'guv reset <name>   a new secret for a remote user (the old one stops working)';

const reset: CliCommand = async (args, io) => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    io.stdout.write(`usage: ${USAGE}\n`);
    return 0;
  }
  const [name, ...extra] = positionals;
  if (name === undefined || extra.length > 0) throw new GuvError('GUV_USAGE', `usage: ${USAGE}`);
  return run({ name }, io);
};

export default reset;

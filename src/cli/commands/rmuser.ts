import { parseArgs } from 'node:util';
import { GuvError } from '../../errors.js';
import { rmuser as run } from '../../remote/cli/user-commands.js';
import type { CliCommand } from '../command.js';

const USAGE = 'guv rmuser <name>   remove a remote user';

const rmuser: CliCommand = async (args, io) => {
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

export default rmuser;

import { parseArgs } from 'node:util';
import { GuvError } from '../../errors.js';
import { useradd as run } from '../../remote/cli/user-commands.js';
import type { CliCommand } from '../command.js';

const USAGE = 'guv useradd <name> [--read-only]   a remote user; prints its secret';

const useradd: CliCommand = async (args, io) => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'read-only': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    io.stdout.write(`usage: ${USAGE}\n`);
    return 0;
  }
  const [name, ...extra] = positionals;
  if (name === undefined || extra.length > 0) throw new GuvError('GUV_USAGE', `usage: ${USAGE}`);
  return run({ name, readOnly: values['read-only'] === true }, io);
};

export default useradd;

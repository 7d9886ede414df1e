import { parseArgs } from 'node:util';
import { GuvError } from '../../errors.js';
import { remoteconfig as run } from '../../remote/cli/user-commands.js';
import type { CliCommand } from '../command.js';

const USAGE =
  'guv remoteconfig [name] [--json]   host, port, fingerprint (and the user’s secret) for a remote client';

const remoteconfig: CliCommand = async (args, io) => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    io.stdout.write(`usage: ${USAGE}\n`);
    return 0;
  }
  if (positionals.length > 1) throw new GuvError('GUV_USAGE', `usage: ${USAGE}`);
  return run({ name: positionals[0] ?? null, json: values.json === true }, io);
};

export default remoteconfig;

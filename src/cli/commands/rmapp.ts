import { parseArgs } from 'node:util';
import { GuvError } from '../../errors.js';
import type { CliCommand } from '../command.js';
import { withClient } from '../connect.js';

const USAGE = 'usage: guv rmapp <name> [--force]';

/** `guv rmapp <name> [--force]`: deletes an app; --force stops and removes its processes first. */
const rmapp: CliCommand = async (args, io) => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { force: { type: 'boolean', short: 'f' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    io.stdout.write(`${USAGE}\n  --force  stop and remove the app's processes first\n`);
    return 0;
  }
  const [name, ...extra] = positionals;
  if (name === undefined || extra.length > 0) throw new GuvError('GUV_USAGE', USAGE);
  const app = await withClient(io.env, (client) =>
    client.removeApp(name, { force: values.force === true }),
  );
  io.stdout.write(`removed ${app.name} (${app.dir})\n`);
  return 0;
};

export default rmapp;

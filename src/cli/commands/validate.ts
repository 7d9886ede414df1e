import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describePlan } from '../../config/describe.js';
import { GuvError } from '../../errors.js';
import { appsFileEnv, planAppsFile } from '../apps-file.js';
import type { CliCommand } from '../command.js';
import { printable } from '../errors.js';

const USAGE = `usage: guv validate <apps file> [--env <name>] [--env K=V]
  prints what 'guv start <apps file>' would start (commands, instances, restart policy,
  environment variable names, warnings) without starting anything; exits 1 on a bad file`;

/** `guv validate <file>`: reads an apps file as `guv start` would, and starts nothing. */
const validate: CliCommand = async (args, io) => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { env: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0)
    throw new GuvError('GUV_USAGE', USAGE.split('\n')[0]!);
  const plan = await planAppsFile(resolve(file), appsFileEnv(values.env), io);
  io.stdout.write(`${describePlan(file, plan).map(printable).join('\n')}\n`);
  return 0;
};

export default validate;

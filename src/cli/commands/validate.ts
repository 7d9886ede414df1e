import { resolve } from 'node:path';
import { describePlan } from '../../config/describe.js';
import { appsFileEnv, planAppsFile } from '../apps-file.js';
import type { CliCommand } from '../command.js';
import { printable } from '../errors.js';

/** `guv validate <file>`: reads an apps file as `guv start` would, and starts nothing. */
const validate: CliCommand<{ env?: string[] }> = async (
  { args: [file = ''], options: values },
  io,
) => {
  const plan = await planAppsFile(resolve(file), appsFileEnv(values.env), io);
  io.stdout.write(`${describePlan(file, plan).map(printable).join('\n')}\n`);
  return 0;
};

export default validate;

import { parseArgs } from 'node:util';
import type { CliCommand } from '../command.js';

const HELP = `usage: guv unstartup [--root-dir <dir>]
  disables and removes the unit guv startup --install wrote
      --root-dir <dir>   the folder it was installed under as the system's root`;

/** `guv unstartup`: undoes `guv startup --install`. */
const unstartup: CliCommand = async (args, io) => {
  const { values } = parseArgs({
    args,
    options: { 'root-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  const command = await import('../../startup/startup-command.js');
  return command.unstartup({ rootDir: values['root-dir'] ?? null }, io);
};

export default unstartup;

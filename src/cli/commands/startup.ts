import { parseArgs } from 'node:util';
import type { CliCommand } from '../command.js';

const HELP = `usage: guv startup [--install] [--root-dir <dir>]
  prints a systemd unit that starts this user's daemon at boot, which brings back the saved
  processes (root: a system unit; anybody else: a user unit, which needs lingering)
      --install          write it, systemctl daemon-reload and enable it
      --root-dir <dir>   with --install: install under <dir> as the system's root (systemctl --root)`;

/** `guv startup`: the daemon at boot, through systemd. */
const startup: CliCommand = async (args, io) => {
  const { values } = parseArgs({
    args,
    options: {
      install: { type: 'boolean' },
      'root-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  const command = await import('../../startup/startup-command.js');
  return command.startup(
    { install: values.install === true, rootDir: values['root-dir'] ?? null },
    io,
  );
};

export default startup;

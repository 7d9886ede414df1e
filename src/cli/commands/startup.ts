import type { CliCommand } from '../command.js';

/** `guv startup`: the daemon at boot, through systemd. */
const startup: CliCommand<{ install?: boolean; rootDir?: string }> = async ({ options }, io) => {
  const command = await import('../../startup/startup-command.js');
  return command.startup(
    { install: options.install === true, rootDir: options.rootDir ?? null },
    io,
  );
};

export default startup;

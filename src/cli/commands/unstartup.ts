import type { CliCommand } from '../command.js';

/** `guv unstartup`: undoes `guv startup --install`. */
const unstartup: CliCommand<{ rootDir?: string }> = async ({ options }, io) => {
  const command = await import('../../startup/startup-command.js');
  return command.unstartup({ rootDir: options.rootDir ?? null }, io);
};

export default unstartup;

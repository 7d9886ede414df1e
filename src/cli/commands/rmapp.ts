import type { CliCommand } from '../command.js';
import { withClient } from '../connect.js';

/** `guv rmapp <name> [--force]`: deletes an app; --force stops and removes its processes first. */
const rmapp: CliCommand<{ force?: boolean }> = async (
  { args: [name = ''], options: values },
  io,
) => {
  const app = await withClient(io.env, (client) =>
    client.removeApp(name, { force: values.force === true }),
  );
  io.stdout.write(`removed ${app.name} (${app.dir})\n`);
  return 0;
};

export default rmapp;

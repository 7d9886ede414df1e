import type { CliCommand } from '../command.js';
import { withClient } from '../connect.js';

/** `guv ui`: starts (or finds) the visualiser in the daemon and prints its private URL. */
const ui: CliCommand = async (_parsed, io) => {
  const url = await withClient(io.env, (client) => client.ui());
  io.stdout.write(`${url}\n`);
  return 0;
};

export default ui;

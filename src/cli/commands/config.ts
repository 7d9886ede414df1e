import type { CliCommand } from '../command.js';
import { withClient } from '../connect.js';

/** `guv config [path]`: prints the daemon's setting at a dotted path (all of them without one). */
const config: CliCommand = async ({ args: [path] }, io) => {
  const value = await withClient(io.env, (client) => client.config(path));
  io.stdout.write(`${typeof value === 'string' ? value : JSON.stringify(value, null, 2)}\n`);
  return 0;
};

export default config;

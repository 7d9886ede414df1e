import type { CliCommand } from '../command.js';
import { withClient } from '../connect.js';

const restore: CliCommand = async (_parsed, io) => {
  const { processes } = await withClient(io.env, (client) => client.restore());
  io.stdout.write(`restored; ${processes} process(es) known\n`);
  return 0;
};

export default restore;

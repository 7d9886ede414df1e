import type { CliCommand } from '../command.js';
import { withClient } from '../connect.js';

const dump: CliCommand = async (_parsed, io) => {
  const { file, processes } = await withClient(io.env, (client) => client.dump());
  io.stdout.write(`saved ${processes} process(es) to ${file}\n`);
  return 0;
};

export default dump;

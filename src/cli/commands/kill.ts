import type { CliCommand } from '../command.js';
import { clientIfRunning } from '../connect.js';

/** `guv kill`: stops every process, saves the list, and stops the daemon. Never starts one. */
const kill: CliCommand = async (_parsed, io) => {
  const client = await clientIfRunning(io.env);
  if (client === null) {
    io.stdout.write('no daemon running\n');
    return 0;
  }
  try {
    await client.kill();
  } finally {
    await client.disconnect();
  }
  io.stdout.write('daemon stopped\n');
  return 0;
};

export default kill;

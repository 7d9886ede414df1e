import { connect } from '../../client/api.js';
import { GuvError } from '../../errors.js';
import type { CliCommand } from '../command.js';

/** `guv kill`: stops every process, saves the list, and stops the daemon. Never starts one. */
const kill: CliCommand = async (_args, io) => {
  let client: Awaited<ReturnType<typeof connect>>;
  try {
    client = await connect(io.env.GUV_HOME ? { home: io.env.GUV_HOME } : {});
  } catch (error) {
    if (error instanceof GuvError && error.code === 'GUV_DAEMON_NOT_RUNNING') {
      io.stdout.write('no daemon running\n');
      return 0;
    }
    throw error;
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

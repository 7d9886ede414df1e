import { plural } from '../format/units.js';
import { targetCommand } from '../target-command.js';

export default targetCommand(async (client, target, _rest, io) => {
  const { workers } = await client.gc(target);
  const where = workers === undefined ? target : `${plural(workers, 'worker')} of ${target}`;
  io.stdout.write(`collected garbage in ${where}\n`);
  return 0;
});

import { targetCommand } from '../target-command.js';

export default targetCommand('guv remove <p>', async (client, target, _rest, io) => {
  const removed = await client.removeProcess(target);
  io.stdout.write(`${removed.name} removed\n`);
  return 0;
});

import { targetCommand } from '../target-command.js';

export default targetCommand('guv stop <p>', async (client, target, _rest, io) => {
  const stopped = await client.stopProcess(target);
  io.stdout.write(`${stopped.name} ${stopped.status}\n`);
  return 0;
});

import { appsTargetCommand } from '../apps-target-command.js';

export default appsTargetCommand(async (client, target, io) => {
  const removed = await client.removeProcess(target);
  io.stdout.write(`${removed.name} removed\n`);
  return 0;
}, 'stop');

import { appsTargetCommand } from '../apps-target-command.js';

export default appsTargetCommand(async (client, target, io) => {
  const stopped = await client.stopProcess(target);
  io.stdout.write(`${stopped.name} ${stopped.status}\n`);
  return 0;
}, 'stop');

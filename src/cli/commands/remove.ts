import { appsTargetCommand } from '../apps-target-command.js';

export default appsTargetCommand('guv remove <p|apps file>', async (client, target, _rest, io) => {
  const removed = await client.removeProcess(target);
  io.stdout.write(`${removed.name} removed\n`);
  return 0;
});

import { appsTargetCommand } from '../apps-target-command.js';

export default appsTargetCommand('guv restart <p|apps file>', async (client, target, _rest, io) => {
  const restarted = await client.restartProcess(target);
  const pid = restarted.pid === null ? '' : ` (pid ${restarted.pid})`;
  io.stdout.write(`${restarted.name} ${restarted.status}${pid}\n`);
  return restarted.status === 'running' ? 0 : 1;
});

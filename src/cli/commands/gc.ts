import { targetCommand } from '../target-command.js';

export default targetCommand('guv gc <p>', async (client, target, _rest, io) => {
  await client.request('gc', { target });
  io.stdout.write(`collected garbage in ${target}\n`);
  return 0;
});

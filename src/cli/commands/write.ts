import { targetCommand } from '../target-command.js';

/** `guv write <p> <string>`: writes the string (and a newline) to the process's stdin. */
export default targetCommand(async (client, target, words, io) => {
  await client.process(target).write(`${words.join(' ')}\n`);
  io.stdout.write(`wrote to ${target}\n`);
  return 0;
});

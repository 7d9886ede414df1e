import { targetCommand } from '../target-command.js';

/** `guv info <p>`: everything the daemon knows about one process, as JSON. */
export default targetCommand('guv info <p>', async (client, target, _rest, io) => {
  const details = await client.request('info', { target });
  io.stdout.write(`${JSON.stringify(details, null, 2)}\n`);
  return 0;
});

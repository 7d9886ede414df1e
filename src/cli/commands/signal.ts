import { plural } from '../format/units.js';
import { targetCommand } from '../target-command.js';

/** `guv signal <p> <signal>`: signals the process's group, or every running worker of a cluster. */
export default targetCommand(async (client, target, [signal], io) => {
  const result = await client.process(target).signal(signal!);
  const to = result.pids
    ? `${plural(result.pids.length, 'worker')} of ${target} (pid ${result.pids.join(', ')})`
    : target;
  io.stdout.write(`sent ${result.signal} to ${to}\n`);
  return 0;
});

import { plural } from '../format/units.js';
import { targetCommand } from '../target-command.js';

/** `guv send <p> <event> [args…]`: emits the event on `process` inside the child (each worker of a cluster). */
export default targetCommand(async (client, target, [event, ...args], io) => {
  const { delivered, workers } = await client.process(target).send(event!, ...args);
  const to = workers === undefined ? '' : ` to ${plural(workers, 'worker')}`;
  const nobody = workers === undefined ? 'the process has no listener' : 'no worker listens';
  io.stdout.write(delivered ? `sent ${event}${to}\n` : `sent ${event}${to} (${nobody} for it)\n`);
  return 0;
});

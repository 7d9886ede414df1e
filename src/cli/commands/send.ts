import { targetCommand } from '../target-command.js';

/** `guv send <p> <event> [args…]`: emits the event on `process` inside the child. */
export default targetCommand(
  'guv send <p> <event> [args…]',
  async (client, target, [event, ...args], io) => {
    const { delivered } = await client.process(target).send(event!, ...args);
    io.stdout.write(
      delivered ? `sent ${event}\n` : `sent ${event} (the process has no listener for it)\n`,
    );
    return 0;
  },
  1,
);

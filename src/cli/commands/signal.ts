import { targetCommand } from '../target-command.js';

export default targetCommand(
  'guv signal <p> <signal>',
  async (client, target, [signal], io) => {
    await client.process(target).signal(signal!);
    io.stdout.write(`sent ${signal} to ${target}\n`);
    return 0;
  },
  1,
);

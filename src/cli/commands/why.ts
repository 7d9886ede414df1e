import { targetCommand } from '../target-command.js';

/** `guv why <p>`: the chart's transition history with causes, oldest first. */
export default targetCommand('guv why <p>', async (client, target, _rest, io) => {
  const { name, lines } = await client.why(target);
  io.stdout.write(
    lines.length === 0
      ? `${name}: no transitions yet\n`
      : `${name}\n${lines.map((l) => `  ${l}`).join('\n')}\n`,
  );
  return 0;
});

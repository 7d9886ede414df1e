import { targetCommand } from '../target-command.js';

/** `guv ref <app>`: the ref and commit checked out in the app's folder. */
export default targetCommand(async (client, name, _rest, io) => {
  const { ref, commit } = await client.currentRef(name);
  io.stdout.write(`${ref ?? '(detached)'} ${commit}\n`);
  return 0;
});

import { targetCommand } from '../target-command.js';

/** `guv setref <app> <ref>`: checks out a branch or tag and reinstalls dependencies. */
export default targetCommand(async (client, name, [ref], io) => {
  const { app, oldRef } = await client.setRef(name, ref!, {
    onOutput: (chunk) => io.stderr.write(chunk),
  });
  io.stdout.write(
    `${app.name}: ${oldRef ?? '-'} -> ${app.ref} (${(app.commit ?? '').slice(0, 12)}); restart its processes to run it\n`,
  );
  return 0;
});

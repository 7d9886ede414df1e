import { targetCommand } from '../target-command.js';
import { refsTable } from './lsrefs.js';

/** `guv updaterefs <app>`: fetches branches and tags from the app's remote, then lists them. */
export default targetCommand(async (client, name, _rest, io) => {
  const refs = await client.updateRefs(name, { onOutput: (chunk) => io.stderr.write(chunk) });
  io.stdout.write(`${refsTable(refs)}\n`);
  return 0;
});

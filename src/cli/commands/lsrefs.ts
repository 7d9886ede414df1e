import type { GitRef } from '../../client/api.js';
import { renderTable } from '../format/table.js';
import { targetCommand } from '../target-command.js';

export function refsTable(refs: GitRef[]): string {
  if (refs.length === 0) return 'no branches or tags';
  return renderTable(
    ['ref', 'kind', 'commit'],
    refs.map((ref) => [ref.name, ref.kind, ref.commit]),
  );
}

/** `guv lsrefs <app>`: the app's branches and tags as of its last fetch. */
export default targetCommand(async (client, name, _rest, io) => {
  io.stdout.write(`${refsTable(await client.listRefs(name))}\n`);
  return 0;
});

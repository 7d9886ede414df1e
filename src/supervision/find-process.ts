import { GuvError } from '../errors.js';

export interface Findable {
  id: string;
  name: string;
  pid: number | null;
}

/**
 * Resolves what the user typed for `<p>`: an id, a name, or a pid (a number that is no id or
 * name). Throws GUV_PROCESS_NOT_FOUND with the value it could not find.
 */
export function findProcess<T extends Findable>(items: Iterable<T>, query: string): T {
  const list = [...items];
  const byId = list.find((item) => item.id === query);
  if (byId) return byId;
  const byName = list.find((item) => item.name === query);
  if (byName) return byName;
  if (/^\d+$/.test(query)) {
    const pid = Number(query);
    const byPid = list.find((item) => item.pid === pid);
    if (byPid) return byPid;
  }
  throw new GuvError('GUV_PROCESS_NOT_FOUND', `no process with the id, name or pid "${query}"`);
}

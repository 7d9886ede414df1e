import { chmod, stat } from '../fs/async-fs.js';
import { dirname } from 'node:path';

/**
 * Let other users pass through (never list) the folders above an app that runs as its own
 * user: guv makes its home folders 0700, where git, npm and the app itself could not reach
 * their own folder. Adds only the search bit (o+x, g+x), only on folders this process owns,
 * and stops at the first folder others can already pass; the files there stay 0600.
 */
export async function makeTraversable(dir: string): Promise<string[]> {
  const changed: string[] = [];
  const uid = process.getuid?.();
  for (let current = dir; ; current = dirname(current)) {
    const info = await stat(current);
    if ((info.mode & 0o001) !== 0 || info.uid !== uid) break;
    await chmod(current, (info.mode & 0o7777) | 0o011);
    changed.push(current);
    if (dirname(current) === current) break;
  }
  return changed;
}

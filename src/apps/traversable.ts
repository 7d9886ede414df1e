import type { Stats } from 'node:fs';
import { dirname } from 'node:path';
import { GuvError } from '../errors.js';
import { chmod, stat } from '../fs/async-fs.js';

/** Who must pass: an app's user (its primary group only: spawning as it drops the others). */
export interface Traveller {
  uid: number;
  gid: number;
  /** For the message. */
  name?: string;
}

/**
 * Let an app's own user pass through (never list) the folders above its folder. guv makes its
 * own folders 0700; of those in `own` (the apps folder, and the state folder holding it in
 * root's layout) it adds only the search bit (o+x, g+x). It never changes a folder it did not
 * create: when one of those stops `user`, this throws GUV_APP_DIR_UNREACHABLE naming them and
 * the chmod that lets the user through, before changing anything. Without `user` (at restore)
 * only guv's own folders are opened.
 */
export async function makeTraversable(
  dir: string,
  own: readonly string[],
  user: Traveller | null = null,
): Promise<string[]> {
  const uid = process.getuid?.();
  const toOpen: Array<{ path: string; mode: number }> = [];
  const blocked: string[] = [];
  for (let current = dir; ; current = dirname(current)) {
    const info = await stat(current);
    if (own.includes(current)) {
      if ((info.mode & 0o001) === 0 && info.uid === uid) {
        toOpen.push({ path: current, mode: (info.mode & 0o7777) | 0o011 });
      }
    } else if (user && !canPass(info, user)) {
      blocked.unshift(current);
    }
    if (dirname(current) === current) break;
  }
  if (user && blocked.length > 0) throw unreachable(dir, user, blocked);
  for (const { path, mode } of toOpen) await chmod(path, mode);
  return toOpen.map(({ path }) => path);
}

/** Whether `user` may search the folder: the owner, group or other bits, whichever apply. */
function canPass(info: Stats, user: Traveller): boolean {
  if (user.uid === 0) return true;
  if (info.uid === user.uid) return (info.mode & 0o100) !== 0;
  if (info.gid === user.gid) return (info.mode & 0o010) !== 0;
  return (info.mode & 0o001) !== 0;
}

function unreachable(dir: string, user: Traveller, blocked: string[]): GuvError {
  const who = user.name ? `user "${user.name}"` : `uid ${user.uid}`;
  const folders = blocked.join(' ');
  return new GuvError(
    'GUV_APP_DIR_UNREACHABLE',
    `${who} cannot reach ${dir}: ${folders} ${blocked.length > 1 ? 'do' : 'does'} not let it pass, ` +
      `and guv changes no folder it did not create; run "chmod o+x ${folders}" or set GUV_HOME to a folder others can pass through`,
  );
}

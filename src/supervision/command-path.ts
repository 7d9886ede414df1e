import { type Stats, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { GuvError } from '../errors.js';

/** Where a command is looked for when the caller's environment has no PATH. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const MAX_PATH_ENTRIES = 128;
const MAX_ENTRY_LENGTH = 4096;

/** Who may own a folder or file that a root child is started from: root, or the daemon's user. */
export interface PathTrust {
  /** Null: anything on PATH will do (the child runs as the caller's own user, not root). */
  owners: readonly number[] | null;
}

/**
 * The folders of `path` a command may be taken from: absolute ones only. An empty or relative
 * entry (`::`, `.`, `bin`) means "the current folder" to a shell; the daemon must never let it
 * pick what root runs from wherever the caller happened to be.
 */
export function searchFolders(path: string | undefined): string[] {
  return (path ?? DEFAULT_PATH)
    .split(':')
    .slice(0, MAX_PATH_ENTRIES)
    .filter((entry) => isAbsolute(entry) && entry.length <= MAX_ENTRY_LENGTH);
}

/** Why root may not run a file from `info` (the folder or the file), or null. */
export function untrusted(info: Stats, trust: PathTrust): string | null {
  if (trust.owners === null) return null;
  if (!trust.owners.includes(info.uid)) return `belongs to uid ${info.uid}`;
  if ((info.mode & 0o002) !== 0) return 'is writable by everyone';
  return null;
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/**
 * Finds `name` (a bare command name, already validated) in the absolute folders of the caller's
 * PATH, as `execvp` would; for a root child, folders and files another user controls are passed
 * over. Throws GUV_COMMAND_NOT_FOUND, its message starting with `what` (the name, quoted).
 *
 * @example
 * findOnPath('npm', '/usr/local/bin:/usr/bin', { owners: null }); // '/usr/bin/npm'
 */
export function findOnPath(
  name: string,
  path: string | undefined,
  trust: PathTrust,
  what = `"${name}" is neither a file here nor`,
): string {
  const passedOver: string[] = [];
  for (const folder of searchFolders(path)) {
    const candidate = join(folder, name);
    const file = statOrNull(candidate);
    if (!file?.isFile() || (file.mode & 0o111) === 0) continue;
    const folderInfo = statOrNull(folder);
    const why = (folderInfo && untrusted(folderInfo, trust)) ?? untrusted(file, trust);
    if (why === null) return candidate;
    passedOver.push(`${candidate} (${why})`);
  }
  const skipped =
    passedOver.length > 0
      ? `; passed over, as root runs nothing another user controls: ${passedOver.join(', ')}`
      : '';
  throw new GuvError(
    'GUV_COMMAND_NOT_FOUND',
    `${what} a command in the absolute folders of PATH${skipped}`,
  );
}

/** Checks that an absolute interpreter path is an executable file. */
export function checkExecutable(path: string): string {
  const info = statOrNull(path);
  if (!info?.isFile() || (info.mode & 0o111) === 0)
    throw new GuvError('GUV_COMMAND_NOT_FOUND', `no executable file at ${path}`);
  return path;
}

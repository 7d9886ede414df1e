import { relative, sep } from 'node:path';

/** Left out of every watch: dependencies and version control churn without code changes. */
export const ALWAYS_IGNORED = ['node_modules', '.git'];

/**
 * A glob as a regular expression over `/`-separated relative paths: `**` any folders, `*` any
 * characters but `/`, `?` one of them; everything else literal.
 */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      source += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/**
 * Whether an absolute path is left out: a component named node_modules or .git, or a match of
 * one of `globs` against the path relative to `cwd` (a glob without `/` matches any component,
 * so `*.log` leaves out every log file and `tmp` a folder anywhere).
 *
 * @example
 * createIgnore(['*.log'], '/srv/app')('/srv/app/logs/a.log'); // true
 */
export function createIgnore(globs: readonly string[], cwd: string): (path: string) => boolean {
  const anywhere = [...ALWAYS_IGNORED.map(globToRegExp)];
  const whole: RegExp[] = [];
  for (const glob of globs) {
    const trimmed = glob.replace(/^\.\//, '').replace(/\/$/, '');
    (trimmed.includes('/') ? whole : anywhere).push(globToRegExp(trimmed));
  }
  return (path) => {
    const rel = relative(cwd, path).split(sep).join('/');
    const parts = rel.split('/');
    if (parts.some((part) => anywhere.some((pattern) => pattern.test(part)))) return true;
    return !rel.startsWith('..') && whole.some((pattern) => pattern.test(rel));
  };
}

/** Who the app runs as, to leave out what it could not read. */
export interface Reader {
  uid: number;
  gid: number;
}

/**
 * Whether `reader` may list (a folder: read and search) or read (anything else) an entry, from
 * its mode bits; ACLs and supplementary groups are not counted, so it errs towards not watching.
 */
export function mayRead(
  stats: { mode: number; uid: number; gid: number; isDirectory(): boolean },
  reader: Reader,
): boolean {
  if (reader.uid === 0) return true;
  const need = stats.isDirectory() ? 0o5 : 0o4;
  const bits =
    stats.uid === reader.uid
      ? (stats.mode >> 6) & 0o7
      : stats.gid === reader.gid
        ? (stats.mode >> 3) & 0o7
        : stats.mode & 0o7;
  return (bits & need) === need;
}

/** Whether `reader` may pass through a folder (its search bit). */
export function maySearch(
  stats: { mode: number; uid: number; gid: number },
  reader: Reader,
): boolean {
  if (reader.uid === 0) return true;
  const shift = stats.uid === reader.uid ? 6 : stats.gid === reader.gid ? 3 : 0;
  return ((stats.mode >> shift) & 0o1) === 0o1;
}

import { type Stats, lstatSync, realpathSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { GuvError } from '../errors.js';

// The CLI's cold path imports this: only node builtins and import-free modules.

/** Who may own a folder guv trusts: the daemon's user, and (only when reaching a daemon) root. */
export type TrustedOwners = readonly number[];

/**
 * Why a folder guv keeps its files in cannot be trusted, or null. It must be a real folder (not
 * a symlink), owned by a trusted user, and writable by nobody else: whoever can write there
 * can plant the process list, the config or a symlink where a log goes.
 */
export function ownFolderProblem(
  info: Stats,
  owners: TrustedOwners,
  forbidden = 0o022,
): string | null {
  if (info.isSymbolicLink()) return 'is a symlink';
  if (!info.isDirectory()) return 'is not a folder';
  if (!owners.includes(info.uid)) return `belongs to uid ${info.uid}, not to uid ${owners[0]}`;
  if ((info.mode & forbidden) !== 0) {
    const what = (forbidden & 0o055) !== 0 ? 'open to' : 'writable by';
    return `is ${what} other users (mode ${(info.mode & 0o7777).toString(8)})`;
  }
  return null;
}

/**
 * Why a folder above them cannot be trusted, or null: another owner could rename a guv folder
 * away and put their own in its place, and so could anybody in a world-writable folder without
 * the sticky bit (/tmp has it). Group-writable parents are the administrator's choice.
 */
export function parentFolderProblem(info: Stats, owners: TrustedOwners): string | null {
  if (!owners.includes(info.uid) && info.uid !== 0) {
    return `belongs to uid ${info.uid}, who could swap the folders in it`;
  }
  if ((info.mode & 0o002) !== 0 && (info.mode & 0o1000) === 0) {
    return 'is writable by everyone without the sticky bit';
  }
  return null;
}

/**
 * Throws GUV_HOME_UNSAFE unless `dir` is a folder guv may trust; `forbidden`: mode bits it must
 * not have (default: group and other write). Missing is fine when `optional`.
 */
export function assertOwnFolder(
  dir: string,
  owners: TrustedOwners,
  { optional = false, forbidden = 0o022 }: { optional?: boolean; forbidden?: number } = {},
): void {
  let info: Stats;
  try {
    info = lstatSync(dir);
  } catch (error) {
    if (optional && (error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const problem = ownFolderProblem(info, owners, forbidden);
  if (problem) throw unsafe(dir, problem, info.isDirectory() && !info.isSymbolicLink());
}

/** Throws GUV_HOME_UNSAFE when a folder above `dir` (as written, or resolved) is unsafe. */
export function assertSafeParents(dir: string, owners: TrustedOwners): void {
  for (const parent of parentsOf(dir)) {
    let info: Stats;
    try {
      info = statSync(parent);
    } catch {
      continue; // not there yet: it will be created, as ours
    }
    const problem = parentFolderProblem(info, owners);
    if (problem) throw unsafe(parent, problem, true);
  }
}

/** Every folder above `dir`, as written and (for those that exist) with symlinks resolved. */
function parentsOf(dir: string): string[] {
  const found = new Set<string>();
  const climb = (from: string) => {
    for (let at = dirname(from); ; at = dirname(at)) {
      found.add(at);
      if (dirname(at) === at) break;
    }
  };
  climb(dir);
  for (const parent of [...found]) {
    try {
      climb(`${realpathSync(parent)}/.`);
      break; // the deepest existing one covers the folders above it
    } catch {}
  }
  return [...found];
}

function unsafe(dir: string, problem: string, isFolder: boolean): GuvError {
  const fix = problem.startsWith('is writable')
    ? `run "chmod go-w ${dir}" and remove anything in it you did not put there, or set GUV_HOME to a private folder`
    : problem.startsWith('is open')
      ? `run "chmod go= ${dir}", or remove it (guv creates it)`
      : isFolder && problem.includes('swap')
        ? 'set GUV_HOME to a folder under one only you (or root) can write'
        : 'remove it (guv creates its folders itself) or set GUV_HOME to a private folder';
  return new GuvError('GUV_HOME_UNSAFE', `refusing ${dir}: it ${problem}; ${fix}`);
}

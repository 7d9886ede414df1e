import {
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  fstatSync,
  lchownSync,
  chmodSync,
  lstatSync,
  mkdirSync,
  openSync,
} from 'node:fs';

/** Who may read log files: the daemon's user alone, or also one group. */
export interface LogAccess {
  /** Mode of log files: 0600, or 0640 with a group. */
  fileMode: number;
  /** Mode of log folders: 0700, or 0750 with a group. */
  dirMode: number;
  /** The group log files and folders belong to; null: leave it as created. */
  gid: number | null;
}

/** The default: logs are the daemon user's alone. */
export const PRIVATE_LOGS: LogAccess = { fileMode: 0o600, dirMode: 0o700, gid: null };

/**
 * Private logs, or group-readable ones when `gid` is given (`logGroup` in guv.json).
 *
 * @example
 * logAccess(4); // { fileMode: 0o640, dirMode: 0o750, gid: 4 }
 */
export function logAccess(gid: number | null): LogAccess {
  return gid === null ? PRIVATE_LOGS : { fileMode: 0o640, dirMode: 0o750, gid };
}

// O_NOFOLLOW: a symlink planted where a log goes is refused (ELOOP), never written through;
// O_NONBLOCK: a FIFO there fails (ENXIO) instead of hanging the open (no effect on files).
const APPEND =
  constants.O_WRONLY |
  constants.O_APPEND |
  constants.O_CREAT |
  constants.O_NOFOLLOW |
  constants.O_NONBLOCK;

/**
 * Open a log file for appending, creating it with `access`'s mode. Refuses a symlink (ELOOP)
 * and anything but a regular file (EFTYPE); a file of ours left with other modes (logGroup
 * changed) is brought in line unless `adjust` is false.
 */
export function openLogFile(path: string, access: LogAccess = PRIVATE_LOGS, adjust = true): number {
  const fd = openSync(path, APPEND, access.fileMode);
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw notAFile(path);
    if (adjust && info.uid === process.getuid?.()) {
      if ((info.mode & 0o777) !== access.fileMode) fchmodSync(fd, access.fileMode);
      if (access.gid !== null && info.gid !== access.gid) fchownSync(fd, -1, access.gid);
    }
    return fd;
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** Create `dir` (and missing parents) with `access`'s mode; refuse a symlink or a non-folder. */
export function ensureLogFolder(dir: string, access: LogAccess = PRIVATE_LOGS): void {
  mkdirSync(dir, { recursive: true, mode: access.dirMode });
  const info = lstatSync(dir);
  if (!info.isDirectory()) throw notAFile(dir, 'folder');
  if (info.uid !== process.getuid?.()) return;
  if ((info.mode & 0o777) !== access.dirMode) chmodSync(dir, access.dirMode);
  if (access.gid !== null && info.gid !== access.gid) lchownSync(dir, -1, access.gid);
}

function notAFile(path: string, what = 'file'): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`${path} is not a regular ${what}`);
  error.code = 'EFTYPE';
  error.path = path;
  return error;
}

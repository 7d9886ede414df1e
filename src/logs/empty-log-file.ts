import {
  closeSync,
  constants,
  fstatSync,
  ftruncateSync,
  lstatSync,
  openSync,
  unlinkSync,
} from 'node:fs';
import { rotatedPath } from './format.js';

// O_NOFOLLOW: a symlink planted where a log goes is refused (ELOOP), never truncated through.
const TRUNCATE = constants.O_WRONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/**
 * Empties one of guv's log files (`guv flush`): the current file is cut to nothing (writers
 * append, so they go on from its start) and its rotated files are removed. Only regular files
 * are touched; a missing file is nothing to do. Returns whether anything was there.
 */
export function emptyLogFile(path: string, keep: number): boolean {
  let found = false;
  let fd = -1;
  try {
    fd = openSync(path, TRUNCATE);
    if (fstatSync(fd).isFile()) {
      ftruncateSync(fd, 0);
      found = true;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
  for (let n = 1; n <= keep; n++) {
    const rotated = rotatedPath(path, n);
    try {
      if (!lstatSync(rotated).isFile()) continue;
      unlinkSync(rotated);
      found = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return found;
}

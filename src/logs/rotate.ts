import { renameSync, rmSync } from 'node:fs';
import { rotatedPath } from './format.js';

/**
 * Shifts `path.(keep-1)` → `path.keep` … `path` → `path.1`; the rename onto `path.keep`
 * replaces (deletes) the oldest. With `keep` 0 the current file is simply removed.
 * Synchronous on purpose: a handful of metadata-only renames once per `maxBytes` costs
 * microseconds, where a round trip through libuv's pool per rename stalls the write queue.
 * The caller must have no write in flight, so a follower sees the renamed file whole.
 */
export function rotateFiles(path: string, keep: number): void {
  if (keep <= 0) {
    rmSync(path, { force: true });
    return;
  }
  for (let n = keep - 1; n >= 0; n--) {
    try {
      renameSync(rotatedPath(path, n), rotatedPath(path, n + 1));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

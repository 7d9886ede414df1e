import { rename, rm } from 'node:fs/promises';
import { rotatedPath } from './format.js';

const ignoreMissing = (error: NodeJS.ErrnoException): void => {
  if (error.code !== 'ENOENT') throw error;
};

/**
 * Shifts `path.(keep-1)` → `path.keep` … `path` → `path.1`; the rename onto `path.keep`
 * replaces (deletes) the oldest. With `keep` 0 the current file is simply removed.
 * The caller must have closed `path` first, so a follower reading the renamed file sees it whole.
 */
export async function rotateFiles(path: string, keep: number): Promise<void> {
  if (keep <= 0) {
    await rm(path, { force: true });
    return;
  }
  for (let n = keep - 1; n >= 0; n--) {
    await rename(rotatedPath(path, n), rotatedPath(path, n + 1)).catch(ignoreMissing);
  }
}

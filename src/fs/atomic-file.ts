import { close, fsync, open, rename, rm, writeFile } from './async-fs.js';
import { basename, dirname, join } from 'node:path';

/**
 * Replace `path` with `data` so that a reader (or a crash) sees the old file or the new one,
 * never a torn one: write a temporary file beside it, fsync it, rename it over, fsync the folder.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  mode = 0o600,
): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  // 'wx' (O_EXCL): never through a symlink or into a file somebody left at that name.
  const file = await open(temp, 'wx', mode);
  try {
    await writeFile(file, data);
    await fsync(file);
  } catch (error) {
    await close(file);
    await rm(temp, { force: true });
    throw error;
  }
  await close(file);
  try {
    await rename(temp, path);
  } catch (error) {
    // `path` is a folder, or its folder went away: leave no temporary file behind.
    await rm(temp, { force: true });
    throw error;
  }
  const folder = await open(dir, 'r');
  try {
    await fsync(folder);
  } finally {
    await close(folder);
  }
}

import { join } from 'node:path';
import { readdir, rm } from '../../fs/async-fs.js';

/** Deletes `.clone-*` (provisional clones) and `.<name>.installing` (staging folders). */
export async function removeLeftovers(appsRoot: string): Promise<void> {
  const names = await readdir(appsRoot).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((name) => /^\.clone-/.test(name) || /^\..+\.installing$/.test(name))
      .map((name) => rm(join(appsRoot, name), { recursive: true, force: true })),
  );
}

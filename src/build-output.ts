import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GuvError } from './errors.js';

let root: string | null = null;

/**
 * The folder of guv's own package.json, found by walking up from this module: the same from
 * `src/` (tests, tsx), from `dist/`, and from a bundle, wherever the package is installed.
 */
export function packageRoot(): string {
  if (root !== null) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'guv') {
      root = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir)
      throw new GuvError(
        'GUV_PACKAGE_NOT_FOUND',
        `guv's package.json was not found above ${fileURLToPath(import.meta.url)}`,
      );
    dir = parent;
  }
}

let version: string | null = null;

/** guv's version, from its package.json. */
export function packageVersion(): string {
  version ??= String(JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')).version);
  return version;
}

/**
 * A file of the package build (`dist/<path>`): the programs guv runs in other processes and
 * threads (the child wrapper, the cluster manager, the daemon, the heavy-work worker) must be
 * compiled JavaScript even when guv itself runs from source.
 */
export function builtFile(path: string, what: string): string {
  const file = join(packageRoot(), 'dist', path);
  if (!existsSync(file))
    throw new GuvError(
      'GUV_NOT_BUILT',
      `guv's ${what} is not built (no ${file}): run npm run build`,
    );
  return file;
}

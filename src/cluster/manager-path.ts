import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GuvError } from '../errors.js';

/**
 * Where the compiled cluster manager (`manager.cjs`) is: beside this module in the package
 * build (`dist/cluster/`), or in the package's `dist/` when running from source (tests, tsx).
 */
export function resolveManagerPath(): string {
  const candidates = [
    new URL('./manager.cjs', import.meta.url),
    new URL('../../dist/cluster/manager.cjs', import.meta.url),
  ].map((url) => fileURLToPath(url));
  const found = candidates.find((path) => existsSync(path));
  if (found === undefined) {
    throw new GuvError(
      'GUV_MANAGER_NOT_BUILT',
      `guv's cluster manager is not built (looked for ${candidates.join(' and ')}): run npm run build`,
    );
  }
  return found;
}

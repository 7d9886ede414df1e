import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GuvError } from '../../errors.js';

/**
 * Where the compiled wrapper (`preload.cjs`) is. From the package build this module sits in
 * `dist/actors/child/` and the wrapper beside it in `dist/actors/wrapper/`; when running from
 * source (tests, tsx) the wrapper is taken from the package's `dist/` build.
 */
export function resolvePreloadPath(): string {
  const candidates = [
    new URL('../wrapper/preload.cjs', import.meta.url),
    new URL('../../../dist/actors/wrapper/preload.cjs', import.meta.url),
  ].map((url) => fileURLToPath(url));
  const found = candidates.find((path) => existsSync(path));
  if (found === undefined) {
    throw new GuvError(
      'GUV_WRAPPER_NOT_BUILT',
      `guv's child wrapper is not built (looked for ${candidates.join(' and ')}): run npm run build`,
    );
  }
  return found;
}

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GuvError } from '../errors.js';

/**
 * Where the compiled heavy-work worker is. In the package build it sits beside this module in
 * `dist/heap/`; when running from source (tests, tsx) the package's `dist/` build is used, since
 * a worker thread cannot load TypeScript.
 */
export function resolveHeavyWorkerPath(): string {
  const candidates = [
    new URL('./heavy-worker.js', import.meta.url),
    new URL('../../dist/heap/heavy-worker.js', import.meta.url),
  ].map((url) => fileURLToPath(url));
  const found = candidates.find((path) => !path.endsWith('.ts') && existsSync(path));
  if (found === undefined) {
    throw new GuvError(
      'GUV_HEAVY_WORKER_NOT_BUILT',
      `guv's heavy-work worker is not built (looked for ${candidates.join(' and ')}): run npm run build`,
    );
  }
  return found;
}

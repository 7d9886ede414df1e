import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GuvError } from '../errors.js';

/**
 * The daemon's compiled entry: `dist/daemon/main.js` beside this module in the package build,
 * or the package's `dist/` when running from source (tests, tsx).
 */
export function resolveDaemonEntry(): string {
  const candidates = [
    new URL('../daemon/main.js', import.meta.url),
    new URL('../../dist/daemon/main.js', import.meta.url),
  ].map((url) => fileURLToPath(url));
  const found = candidates.find((path) => !path.endsWith('.ts') && existsSync(path));
  if (found === undefined) {
    throw new GuvError('GUV_DAEMON_NOT_BUILT', `guv's daemon is not built (run npm run build)`);
  }
  return found;
}

import { ensureCtsBuilt } from '../../helpers/build-cts.js';

/**
 * Compiles only the wrapper into dist/ (where resolvePreloadPath() finds it when run from
 * source) when it is missing or older than its source, so child tests need no full build.
 */
export function ensurePreloadBuilt(): string {
  return ensureCtsBuilt('src/actors/wrapper/preload.cts', 'dist/actors/wrapper/preload.cjs');
}

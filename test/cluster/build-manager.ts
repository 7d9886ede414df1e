import { ensureCtsBuilt } from '../helpers/build-cts.js';

/** Compiles only the manager into dist/ when it is missing or older than its source. */
export function ensureManagerBuilt(): string {
  return ensureCtsBuilt('src/cluster/manager.cts', 'dist/cluster/manager.cjs');
}

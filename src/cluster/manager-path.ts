import { builtFile } from '../build-output.js';

/** The compiled cluster manager (`manager.cjs`), the `node:cluster` primary of every cluster. */
export function resolveManagerPath(): string {
  return builtFile('cluster/manager.cjs', 'cluster manager');
}

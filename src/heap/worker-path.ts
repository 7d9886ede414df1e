import { builtFile } from '../build-output.js';

/** The compiled heavy-work worker: a worker thread cannot load TypeScript. */
export function resolveHeavyWorkerPath(): string {
  return builtFile('heap/heavy-worker.js', 'heavy-work worker');
}

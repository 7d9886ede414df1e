import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileWithTsc, mtime } from '../helpers/build-cts.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const entry = join(root, 'src/heap/heavy-worker.ts');
/** Where `npm run build` puts it, and where resolveHeavyWorkerPath() finds it from source. */
export const builtWorker = join(root, 'dist/heap/heavy-worker.js');

/**
 * Compiles only the heavy-work worker and what it imports into dist/ when any of its sources is
 * newer, so heap tests and the bench need no full build. Each file is written to a temporary
 * folder and renamed into place, so a parallel test never sees half a file.
 */
export function ensureHeavyWorkerBuilt(): string {
  const sources = [
    ...readdirSync(join(root, 'src/heap')).map((name) => join(root, 'src/heap', name)),
    join(root, 'src/logs/format.ts'),
  ];
  if (mtime(builtWorker) >= Math.max(...sources.map(mtime))) return builtWorker;
  const out = mkdtempSync(join(tmpdir(), 'guv-heavy-worker-'));
  try {
    compileWithTsc(entry, out, join(root, 'src'));
    // The entry last: its presence means the rest is in place.
    const emitted = walk(out).sort(
      (a, b) => Number(a.endsWith('heavy-worker.js')) - Number(b.endsWith('heavy-worker.js')),
    );
    for (const file of emitted) {
      const target = join(root, 'dist', relative(out, file));
      mkdirSync(dirname(target), { recursive: true });
      renameSync(file, target);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  return builtWorker;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Compiles one CommonJS program of the package (`src/….cts`) to its place in dist/ when it is
 * missing or older than its source, so tests that need only it skip a full build. Written to a
 * temporary folder and renamed, so parallel test files never see half a file.
 */
export function ensureCtsBuilt(source: string, built: string): string {
  const from = join(root, source);
  const to = join(root, built);
  if (mtime(to) >= mtime(from)) return to;
  const out = mkdtempSync(join(tmpdir(), 'guv-cts-'));
  try {
    compileWithTsc(from, out);
    mkdirSync(dirname(to), { recursive: true });
    renameSync(join(out, basename(to)), to);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  return to;
}

/**
 * Compiles `entry` (and what it imports) into `outDir` with the package's compiler settings;
 * with `rootDir`, the output keeps the source tree's layout below it.
 */
export function compileWithTsc(entry: string, outDir: string, rootDir?: string): void {
  execFileSync(
    join(root, 'node_modules/.bin/tsc'),
    [
      ...['--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022'],
      ...['--strict', '--types', 'node', '--skipLibCheck', '--verbatimModuleSyntax'],
      ...(rootDir ? ['--rootDir', rootDir] : []),
      ...['--outDir', outDir, entry],
    ],
    { cwd: root, stdio: 'pipe' },
  );
}

/** A file's modification time in ms, 0 when it is missing. */
export function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const source = join(root, 'src/actors/wrapper/preload.cts');
/** Where `npm run build` puts it, and where resolvePreloadPath() finds it when run from source. */
export const builtPreload = join(root, 'dist/actors/wrapper/preload.cjs');

/**
 * Compiles only the wrapper into dist/ when it is missing or older than its source, so child
 * tests do not need a full build. Written to a temporary file and renamed, so parallel test
 * files never see half a file.
 */
export function ensurePreloadBuilt(): string {
  if (mtime(builtPreload) >= mtime(source)) return builtPreload;
  const out = mkdtempSync(join(tmpdir(), 'guv-preload-'));
  try {
    execFileSync(
      join(root, 'node_modules/.bin/tsc'),
      [
        ...['--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022'],
        ...['--strict', '--types', 'node', '--skipLibCheck', '--verbatimModuleSyntax'],
        ...['--outDir', out, source],
      ],
      { cwd: root, stdio: 'pipe' },
    );
    mkdirSync(join(root, 'dist/actors/wrapper'), { recursive: true });
    renameSync(join(out, 'preload.cjs'), builtPreload);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  return builtPreload;
}

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const source = join(root, 'src/cluster/manager.cts');
export const builtManager = join(root, 'dist/cluster/manager.cjs');

/** Compiles only the manager into dist/ when it is missing or older than its source. */
export function ensureManagerBuilt(): string {
  if (mtime(builtManager) >= mtime(source)) return builtManager;
  const out = mkdtempSync(join(tmpdir(), 'guv-manager-'));
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
    mkdirSync(join(root, 'dist/cluster'), { recursive: true });
    renameSync(join(out, 'manager.cjs'), builtManager);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  return builtManager;
}

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

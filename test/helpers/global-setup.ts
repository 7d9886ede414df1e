import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

function builtAt(): number {
  try {
    return statSync(join(root, 'dist/cli/main.js')).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Tests that spawn `bin/guv.js` or the daemon run the compiled dist/: build it once when any
 * source is newer. Type errors elsewhere in the tree do not stop tsc from emitting, so only a
 * build that leaves no dist/ fails the run.
 */
export default function setup(): void {
  if (builtAt() >= newestMtime(join(root, 'src'))) return;
  const result = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    process.stderr.write(
      `global-setup: tsc reported errors (dist/ still emitted):\n${result.stdout}`,
    );
  }
  if (builtAt() === 0) throw new Error('global-setup: the build left no dist/cli/main.js');
}

import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
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

const stampFile = join(root, 'dist/.test-build-stamp');

/** When the last build this setup ran had started (tsc reads sources at its start). */
function builtFrom(): number {
  try {
    return Number(readFileSync(stampFile, 'utf8')) || 0;
  } catch {
    return 0;
  }
}

/**
 * Tests that spawn `bin/guv.js` or the daemon run the compiled dist/: build it once when any
 * source changed since the sources our last build read. dist/'s own mtimes are no guide: a
 * build somebody else started before an edit finishes after it. Type errors elsewhere in the
 * tree do not stop tsc from emitting, so only a build that leaves no dist/ fails the run.
 */
export default function setup(): void {
  if (builtFrom() >= newestMtime(join(root, 'src'))) return;
  const startedAt = Date.now();
  const result = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    process.stderr.write(
      `global-setup: tsc reported errors (dist/ still emitted):\n${result.stdout}`,
    );
  }
  if (!existsSync(join(root, 'dist/cli/main.js'))) {
    throw new Error('global-setup: the build left no dist/cli/main.js');
  }
  // The daemon serves the visualiser's page from dist/ (as `npm run build` copies it).
  rmSync(join(root, 'dist/web/static'), { recursive: true, force: true });
  cpSync(join(root, 'src/web/static'), join(root, 'dist/web/static'), { recursive: true });
  writeFileSync(stampFile, String(startedAt));
}

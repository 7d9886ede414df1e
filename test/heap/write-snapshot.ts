import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Writes a real heap snapshot from a child process that keeps `count` instances of a class named
 * `className` (plus, optionally, `paddingObjects` plain objects to make the file big).
 */
export async function writeSnapshotWith(
  path: string,
  { className = 'Leaky', count = 100_000, paddingObjects = 0 } = {},
): Promise<void> {
  const script = `
    const v8 = require('node:v8');
    const Named = { ${JSON.stringify(className)}: class { constructor(i) { this.i = i; } } }[${JSON.stringify(className)}];
    globalThis.kept = Array.from({ length: ${count} }, (_, i) => new Named(i));
    globalThis.padding = Array.from({ length: ${paddingObjects} }, (_, i) => ({ a: i, b: [i], c: 'p' + (i % 1000) }));
    v8.writeHeapSnapshot(${JSON.stringify(path)});
  `;
  await run(process.execPath, ['--max-old-space-size=2048', '-e', script], { timeout: 120_000 });
}

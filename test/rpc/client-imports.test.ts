import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// `guv list` must cost about one `node -e 0`: the client's cold path loads node builtins and
// a few import-free files, never xstate, pino, nanoid or the bus.
const root = resolve(import.meta.dirname, '../..');
const ALLOWED_BUILTINS = new Set([
  'node:net',
  'node:fs',
  'node:path',
  'node:os',
  'node:child_process',
]);

function importGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    // Type-only imports are erased at build time and cost nothing at run time.
    const pattern = /^(?:import|export)\s+(?!type\s)[^'";]*?from\s+'([^']+)'|^import\s+'([^']+)'/gm;
    for (const match of source.matchAll(pattern)) {
      const specifier = (match[1] ?? match[2])!;
      if (specifier.startsWith('.')) visit(join(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else packages.add(specifier);
    }
  };
  visit(join(root, entry));
  return { files: [...files].map((file) => relative(root, file)).sort(), packages: [...packages] };
}

describe('the client cold path', () => {
  it.each(['src/client/autostart.ts', 'src/client/connection.ts'])(
    '%s imports only node builtins and small import-free files',
    (entry) => {
      const { files, packages } = importGraph(entry);
      expect(files).toContain('src/rpc/frame.ts');
      for (const name of packages) expect(ALLOWED_BUILTINS).toContain(name);
      for (const file of files) {
        expect([
          'src/bus/pattern.ts',
          'src/client/autostart.ts',
          'src/client/connection.ts',
          'src/protocol/home.ts',
          'src/protocol/safe-folders.ts',
          'src/protocol/inherited-fds.ts',
          'src/protocol/start-handshake.ts',
          'src/error-codes.ts',
          'src/errors.ts',
          'src/logs/log-file.ts',
          'src/rpc/frame.ts',
        ]).toContain(file);
      }
    },
  );
});

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The client and the CLI talk to the daemon only through src/protocol: they import nothing from
// src/daemon, and no two of their files import each other (a cycle), type-only imports included.
const root = resolve(import.meta.dirname, '../..');
const LAYERS = ['src/client', 'src/cli', 'src/protocol'];

function sourceFiles(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(folder, name));
}

/** Every relative import of `file` (static, type-only, re-export or dynamic), as a src path. */
function importsOf(file: string): string[] {
  const source = readFileSync(join(root, file), 'utf8');
  const pattern = /\bfrom\s+'(\.[^']+)'|\bimport\s*\(?\s*'(\.[^']+)'/g;
  return [...source.matchAll(pattern)].map((match) =>
    relative(root, join(root, dirname(file), (match[1] ?? match[2])!.replace(/\.js$/, '.ts'))),
  );
}

const files = LAYERS.flatMap(sourceFiles);
const graph = new Map(files.map((file) => [file, importsOf(file)]));

/** The import cycles among `graph`'s files, each as the files around it. */
function cycles(): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'open') found.push([...path.slice(path.indexOf(next)), next]);
      else if (state.get(next) === undefined) visit(next);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return found;
}

// What runs only inside the daemon: its composition and the domains it alone drives.
const DAEMON_SIDE = [
  'src/daemon/',
  'src/supervision/',
  'src/methods/',
  'src/persistence/',
  'src/footprint/',
  'src/apps/service/',
];

describe('layering of client, CLI and protocol', () => {
  it('finds the files it checks', () => {
    expect(files).toContain('src/client/api.ts');
    expect(files).toContain('src/cli/commands/info.ts');
  });

  it('src/client, src/cli and src/protocol import nothing from the daemon side', () => {
    const offending = [...graph].flatMap(([file, imports]) =>
      imports
        .filter((target) => DAEMON_SIDE.some((folder) => target.startsWith(folder)))
        .map((t) => `${file} → ${t}`),
    );
    expect(offending).toEqual([]);
  });

  it('has no import cycle among src/client, src/cli and src/protocol', () => {
    expect(cycles().map((cycle) => cycle.join(' → '))).toEqual([]);
  });
});

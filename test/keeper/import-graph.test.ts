import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/daemon-harness.js';

/** Every module the keeper's entry reaches, by relative path, with what each imports from outside. */
function keeperGraph(): { modules: string[]; outside: string[] } {
  const seen = new Set<string>();
  const outside = new Set<string>();
  const pending = [join(repoRoot, 'src/keeper/main.ts')];
  const specifiers =
    /(?:^|[\s;])(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(specifiers)) {
      const specifier = (match[1] ?? match[2])!;
      if (!specifier.startsWith('.')) {
        outside.add(specifier);
        continue;
      }
      const base = join(dirname(file), specifier);
      const candidates = [base.replace(/\.js$/, '.ts'), base.replace(/\.cjs$/, '.cts'), base];
      const found = candidates.find((path) => existsSync(path) && path !== dirname(path));
      if (found && /\.(c|m)?ts$/.test(found)) pending.push(found);
    }
  }
  return { modules: [...seen].map((file) => relative(repoRoot, file)), outside: [...outside] };
}

describe('the keeper’s imports', () => {
  it('are Node built-ins and guv’s own small modules: never XState, pino or the daemon', () => {
    const { modules, outside } = keeperGraph();
    expect(modules).toContain('src/logs/user-log-writer.ts');
    // nanoid's non-secure ids (the home lock's token): one small file, no dependencies.
    const packages = outside.filter((specifier) => !specifier.startsWith('node:'));
    expect(packages).toEqual(['nanoid/non-secure']);
    for (const module of modules) {
      if (module === 'src/daemon/lock.ts') continue;
      expect(module, module).not.toMatch(/^src\/(daemon|machines|supervision|accounts)\//);
    }
    // getent runs in the daemon: the keeper gets numeric ids.
    expect(modules).not.toContain('src/logs/user-log-file.ts');
    expect(modules).not.toContain('src/actors/child/identity.ts');
  });
});

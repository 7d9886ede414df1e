import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
/** Where the daemon's methods and the cluster live: the callers of the Supervised contract. */
const FOLDERS = ['src/daemon', 'src/supervision', 'src/methods', 'src/cluster'];

/**
 * What tells a process from a cluster instead of asking the Supervised contract: a test of the
 * `kind` either carries, or of the class. (`source.kind === 'worker'`, a log source, is not one.)
 */
const KIND_BRANCH =
  /\bkind\s*[!=]==?\s*['"](?:process|cluster)['"]|['"](?:process|cluster)['"]\s*[!=]==?\s*\S*\.kind\b|instanceof\s+ClusterSupervisor\b/;

/** `path:line text` → why that branch must stay. Empty: none needs to. */
const ALLOWED: Record<string, string> = {};

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(c|m)?ts$/.test(entry.name))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

function kindBranches(): string[] {
  const found: string[] = [];
  for (const file of FOLDERS.flatMap(sourceFiles)) {
    const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
    lines.forEach((line, index) => {
      if (KIND_BRANCH.test(line)) found.push(`${file}:${index + 1} ${line.trim()}`);
    });
  }
  return found;
}

describe('one contract for anything the process table supervises', () => {
  it('no kind === process/cluster branch in src/daemon or src/cluster: ask the Supervised contract', () => {
    const unexplained = kindBranches().filter(
      (branch) => !Object.keys(ALLOWED).some((key) => branch.startsWith(key)),
    );
    expect(unexplained).toEqual([]);
  });

  it('the rule sees a branch when there is one', () => {
    expect(KIND_BRANCH.test("if (managed.kind === 'cluster') return;")).toBe(true);
    expect(KIND_BRANCH.test("if (managed?.kind !== 'process') return;")).toBe(true);
    expect(KIND_BRANCH.test('if (managed instanceof ClusterSupervisor) return;')).toBe(true);
    expect(KIND_BRANCH.test("if (source.kind === 'worker') return;")).toBe(false);
    expect(KIND_BRANCH.test("if (read.kind === 'corrupt') return;")).toBe(false);
  });
});

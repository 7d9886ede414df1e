import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLI_DOC, renderCliDoc, usageLine } from '../../scripts/docs/cli.js';
import { COMMANDS } from '../../src/cli/command-table.js';
import { ERROR_CODES } from '../../src/error-codes.js';

describe('docs/cli.md', () => {
  it('is what scripts/docs/cli.ts generates from the command table (run it to update)', () => {
    let current: string | null = null;
    try {
      current = readFileSync(CLI_DOC, 'utf8');
    } catch {}
    expect(current, 'docs/cli.md is out of date: run node --import tsx scripts/docs/cli.ts').toBe(
      renderCliDoc(),
    );
  });

  it('has every command with its usage, options and examples', () => {
    const text = renderCliDoc();
    for (const spec of COMMANDS.filter((s) => !s.hidden)) {
      expect(text).toContain(`### guv ${spec.name}\n`);
      expect(text).toContain(`\n${usageLine(spec)}\n`);
      for (const option of spec.options ?? []) expect(text).toContain(`| \`${option.flags}\` |`);
      for (const example of spec.examples) expect(text).toContain(`\n${example}\n`);
    }
    expect(text).not.toContain('__processes');
  });

  it('has the exit status of every registered error code', () => {
    const text = renderCliDoc();
    for (const [code, spec] of Object.entries(ERROR_CODES))
      expect(text).toContain(`| \`${code}\` | ${spec.exit} |`);
    for (const status of [0, 1, 2, 3]) expect(text).toMatch(new RegExp(`^\\| ${status} \\|`, 'm'));
  });
});

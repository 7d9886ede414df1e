import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS_DOC, renderErrorsDoc } from '../../scripts/docs/errors.js';
import { ERROR_CODES } from '../../src/error-codes.js';

describe('docs/errors.md', () => {
  it('is what scripts/docs/errors.ts generates from the registry (run it to update)', () => {
    const generated = renderErrorsDoc();
    let current: string | null = null;
    try {
      current = readFileSync(ERRORS_DOC, 'utf8');
    } catch {}
    expect(
      current,
      'docs/errors.md is out of date: run node --import tsx scripts/docs/errors.ts',
    ).toBe(generated);
  });

  it('has one row per registered code, with its exit status and hint', () => {
    const text = renderErrorsDoc();
    for (const [code, spec] of Object.entries(ERROR_CODES)) {
      const rows = text.split('\n').filter((line) => line.startsWith(`| \`${code}\` |`));
      expect(rows, code).toHaveLength(1);
      expect(rows[0]).toContain(`| ${spec.exit} |`);
      if (spec.hint !== undefined) expect(rows[0]).toContain(spec.hint.replace(/\|/g, '\\|'));
    }
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_DOC, renderConfigDoc } from '../../scripts/docs/config.js';
import { START_FLAGS } from '../../src/protocol/start-flags.js';

describe('docs/config-reference.md', () => {
  it('is what scripts/docs/config.ts generates from the start options (run it to update)', () => {
    let current: string | null = null;
    try {
      current = readFileSync(CONFIG_DOC, 'utf8');
    } catch {}
    expect(
      current,
      'docs/config-reference.md is out of date: run node --import tsx scripts/docs/config.ts',
    ).toBe(renderConfigDoc());
  });

  it('has a row for every start flag but the two that only make sense on a command line', () => {
    const text = renderConfigDoc();
    for (const [field, flag] of Object.entries(START_FLAGS)) {
      const row = text.split('\n').some((line) => line.includes(`| \`${flag.long}\` |`));
      expect(row, field).toBe(field !== 'name' && field !== 'updateEnv');
    }
  });
});

import { describe, expect, it } from 'vitest';
import { processId } from '../../src/supervision/process-id.js';

describe('process ids', () => {
  it('never begin with a dash (nor hold one), so a command line never reads one as an option', () => {
    const ids = Array.from({ length: 20_000 }, processId);
    for (const id of ids) expect(id).toMatch(/^[0-9A-Za-z_]{10}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

import { describe, expect, it } from 'vitest';
import { planAppend } from '../../src/logs/size-split.js';

const text = (steps: ReturnType<typeof planAppend>['steps']) =>
  steps.map((step) => (step === 'rotate' ? '|' : step.toString()));

describe('planAppend', () => {
  it('appends what fits without rotating', () => {
    const plan = planAppend(Buffer.from('a\nb\n'), 0, 10);
    expect(text(plan.steps)).toEqual(['a\nb\n']);
    expect(plan.size).toBe(4);
  });

  it('cuts between lines and rotates before the line that does not fit', () => {
    const plan = planAppend(Buffer.from('aaa\nbbb\nccc\n'), 3, 10);
    expect(text(plan.steps)).toEqual(['aaa\n', '|', 'bbb\nccc\n']);
    expect(plan.size).toBe(8);
  });

  it('rotates first when nothing fits in the current file', () => {
    expect(text(planAppend(Buffer.from('aaaa\n'), 8, 10).steps)).toEqual(['|', 'aaaa\n']);
  });

  it('writes a line longer than maxBytes whole, in a file of its own', () => {
    const plan = planAppend(Buffer.from('x\nyyyyyyyyyyyyyyyy\nz\n'), 0, 5);
    expect(text(plan.steps)).toEqual(['x\n', '|', 'yyyyyyyyyyyyyyyy\n', '|', 'z\n']);
    expect(plan.size).toBe(2);
  });

  it('rotates a file that is already over the limit', () => {
    expect(text(planAppend(Buffer.from('a\n'), 50, 10).steps)).toEqual(['|', 'a\n']);
  });
});

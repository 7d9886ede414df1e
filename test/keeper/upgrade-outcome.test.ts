import { describe, expect, it } from 'vitest';
import { describeOutcome, upgradeOutcome } from '../../src/keeper/upgrade-outcome.js';

describe('what guv upgrade says it did', () => {
  it('counts the same pid as re-adopted', () => {
    const outcome = upgradeOutcome(
      [
        { name: 'web', pid: 10 },
        { name: 'api', pid: 11 },
      ],
      [
        { name: 'web', pid: 10 },
        { name: 'api', pid: 11 },
      ],
    );
    expect(outcome).toEqual({ readopted: 2, restarted: 0, notRunning: 0 });
    expect(describeOutcome(outcome)).toBe('2 kept processes re-adopted');
  });

  it('counts another pid as restarted, so a retired keeper is not reported as re-adoption', () => {
    const outcome = upgradeOutcome(
      [
        { name: 'web', pid: 10 },
        { name: 'api', pid: 11 },
        { name: 'cron', pid: 12 },
      ],
      [
        { name: 'web', pid: 20 },
        { name: 'api', pid: 21 },
        { name: 'cron', pid: null },
      ],
    );
    expect(outcome).toEqual({ readopted: 0, restarted: 2, notRunning: 1 });
    expect(describeOutcome(outcome)).toBe(
      '0 kept processes re-adopted, 2 restarted (the keeper was replaced), 1 not running yet',
    );
  });

  it('ignores what was not running before', () => {
    const outcome = upgradeOutcome([{ name: 'idle', pid: null }], [{ name: 'idle', pid: 30 }]);
    expect(describeOutcome(outcome)).toBe('0 kept processes re-adopted');
  });
});

import { describe, expect, it } from 'vitest';
import { chartTimers } from '../../src/supervision/chart-timers.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the charts’ timers', () => {
  it('fire a zero delay on this loop turn, before a 1 ms timer, and never synchronously', async () => {
    const fired: string[] = [];
    await new Promise<void>((resolve) => {
      // Inside an I/O-free callback too, setImmediate runs before any timer set now.
      setTimeout(() => {
        setTimeout(() => {
          fired.push('timeout');
          resolve();
        }, 1);
        chartTimers.setTimeout(() => fired.push('zero'), 0);
        fired.push('sync');
      }, 0);
    });
    expect(fired).toEqual(['sync', 'zero', 'timeout']);
  });

  it('wait for a positive delay, and cancel either kind', async () => {
    const fired: string[] = [];
    const started = Date.now();
    chartTimers.setTimeout(() => fired.push(`late ${Date.now() - started >= 19}`), 20);
    chartTimers.clearTimeout(chartTimers.setTimeout(() => fired.push('cancelled zero'), 0));
    chartTimers.clearTimeout(chartTimers.setTimeout(() => fired.push('cancelled late'), 5));
    await tick(40);
    expect(fired).toEqual(['late true']);
  });
});

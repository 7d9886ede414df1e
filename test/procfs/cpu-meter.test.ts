import { describe, expect, it } from 'vitest';
import { MIN_CPU_WINDOW_MS, type ProcSample, createCpuMeter } from '../../src/procfs/proc-stats.js';

/** A process that burns half a core: samples at the times given. */
function halfBusy() {
  let at = 0;
  const meter = createCpuMeter((): ProcSample => ({ cpuMs: at / 2, rssBytes: 1024, at }));
  return {
    at(ms: number) {
      at = ms;
      return meter.measure(42, 0)?.cpu;
    },
  };
}

describe('the CPU meter', () => {
  it('reports use since the previous figure once that is a window old', () => {
    const p = halfBusy();
    expect(p.at(10_000)).toBe(50);
    expect(p.at(12_000)).toBe(50);
  });

  it('keeps a young baseline: a poll just before a list does not turn its figure into tick noise', () => {
    let at = 0;
    // half a core, as /proc counts it: in 10 ms clock ticks
    const meter = createCpuMeter(() => ({ cpuMs: Math.floor(at / 20) * 10, rssBytes: 1, at }));
    const measure = (ms: number) => {
      at = ms;
      return meter.measure(7, 0)?.cpu ?? Number.NaN;
    };
    measure(1000);
    expect(measure(1990)).toBeCloseTo(49.5, 0); // the dashboard polls
    // guv list 5 ms later: over the last second, not over 5 ms in which no tick was counted
    expect(measure(1995)).toBeGreaterThan(45);
    expect(measure(1000 + MIN_CPU_WINDOW_MS + 500)).toBeGreaterThan(45);
  });
});

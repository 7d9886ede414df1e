import { describe, expect, it } from 'vitest';
import {
  createMetricsHistory,
  type MetricsSample,
  sampleFromHeartbeat,
  sampleFromProc,
} from '../../src/metrics/history.js';

function sample(time: number, n: number): MetricsSample {
  return {
    time,
    cpuPercent: n,
    rssBytes: n * 1000,
    heapUsedBytes: n * 10,
    heapTotalBytes: n * 20,
    loopDelayP50Ms: n / 2,
    loopDelayP99Ms: n,
    loopDelayMaxMs: n * 2,
  };
}

describe('metrics history', () => {
  it('keeps one retention window of samples per process and drops the oldest', () => {
    const history = createMetricsHistory({ retentionMs: 60_000, minIntervalMs: 5000 });
    expect(history.capacity).toBe(12);
    for (let n = 0; n < 30; n++) history.record('a', sample(n * 5000, n));
    const cpu = history.series('a', 'cpuPercent');
    expect(cpu.values).toEqual([18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
    expect(cpu.times[0]).toBe(18 * 5000);
    expect(history.latest('a')).toEqual(sample(29 * 5000, 29));
  });

  it('grows a young ring as samples come, then wraps at the capacity, never losing order', () => {
    const history = createMetricsHistory({ retentionMs: 500_000, minIntervalMs: 5000 });
    expect(history.capacity).toBe(100);
    const values = (count: number, from = 0) => Array.from({ length: count }, (_, i) => from + i);
    for (let n = 0; n < 40; n++) {
      history.record('a', sample(n * 5000, n));
      expect(history.series('a', 'cpuPercent').values).toEqual(values(n + 1));
    }
    for (let n = 40; n < 250; n++) history.record('a', sample(n * 5000, n));
    expect(history.series('a', 'cpuPercent').values).toEqual(values(100, 150));
    expect(history.latest('a')).toEqual(sample(249 * 5000, 249));
    expect(history.samples('a', 240 * 5000).map((s) => s.cpuPercent)).toEqual(values(10, 240));
  });

  it('reads a series since a time, oldest first, per process', () => {
    const history = createMetricsHistory({ retentionMs: 60_000, minIntervalMs: 5000 });
    for (let n = 0; n < 5; n++) history.record('a', sample(n * 1000, n));
    history.record('b', sample(0, 99));
    expect(history.series('a', 'rssBytes', 2500)).toEqual({
      times: [3000, 4000],
      values: [3000, 4000],
    });
    expect(history.series('b', 'loopDelayP99Ms').values).toEqual([99]);
    expect(history.samples('a', 3000).map((s) => s.time)).toEqual([3000, 4000]);
    expect(history.series('nobody', 'cpuPercent')).toEqual({ times: [], values: [] });
    expect(history.latest('nobody')).toBeNull();
    history.forget('a');
    expect(history.ids()).toEqual(['b']);
  });

  it('stores figures as float32: large byte counts stay within 1e-7', () => {
    const history = createMetricsHistory();
    history.record('a', { ...sample(1, 1), rssBytes: 3_123_456_789 });
    const rss = history.latest('a')!.rssBytes;
    expect(Math.abs(rss - 3_123_456_789) / 3_123_456_789).toBeLessThan(1e-7);
  });

  it('keeps NaN for figures that were not measured', () => {
    const history = createMetricsHistory();
    history.record('a', sampleFromProc({ cpu: 12.5, memory: 4096 }, 10));
    const latest = history.latest('a')!;
    expect(latest.cpuPercent).toBe(12.5);
    expect(latest.heapUsedBytes).toBeNaN();
  });

  it('turns a heartbeat into a sample with CPU % of one core', () => {
    const s = sampleFromHeartbeat(
      {
        heapUsed: 1,
        heapTotal: 2,
        rss: 3,
        loopDelayP50: 0.5,
        loopDelayP99: 4,
        loopDelayMax: 9,
        cpuUser: 1_500_000,
        cpuSystem: 1_000_000,
        periodMs: 5000,
      },
      42,
    );
    expect(s).toEqual({
      time: 42,
      cpuPercent: 50,
      rssBytes: 3,
      heapUsedBytes: 1,
      heapTotalBytes: 2,
      loopDelayP50Ms: 0.5,
      loopDelayP99Ms: 4,
      loopDelayMaxMs: 9,
    });
  });

  it('rejects nonsense options', () => {
    expect(() => createMetricsHistory({ retentionMs: 0 })).toThrow(TypeError);
    expect(() => createMetricsHistory().series('a', 'bogus' as never)).toThrow(TypeError);
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_TRIM_POLICY, shouldTrim, startIdleTrim } from '../../src/footprint/idle-trim.js';

const MiB = 1024 * 1024;

describe('shouldTrim', () => {
  it('trims a quiet heap that grew past the threshold since the last trim', () => {
    expect(shouldTrim({ used: 9 * MiB, previous: 9 * MiB - 1000, afterLastTrim: 7 * MiB })).toBe(
      true,
    );
  });

  it('waits while the heap is still moving', () => {
    expect(shouldTrim({ used: 9 * MiB, previous: 8 * MiB, afterLastTrim: 7 * MiB })).toBe(false);
  });

  it('leaves a heap that grew less than the threshold', () => {
    const used = 7 * MiB + DEFAULT_TRIM_POLICY.growthBytes - 1;
    expect(shouldTrim({ used, previous: used, afterLastTrim: 7 * MiB })).toBe(false);
  });

  it('follows the policy it is given', () => {
    const policy = { quietBytes: 10, growthBytes: 100 };
    expect(shouldTrim({ used: 1100, previous: 1095, afterLastTrim: 1000 }, policy)).toBe(true);
    expect(shouldTrim({ used: 1100, previous: 1080, afterLastTrim: 1000 }, policy)).toBe(false);
  });
});

describe('startIdleTrim', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A heap whose size the test sets; each collection brings it down to `live`. */
  function fakeHeap(live: number) {
    const heap = { used: live, live, collections: 0 };
    return {
      heap,
      collect: () => {
        heap.collections++;
        heap.used = heap.live;
      },
      heapUsed: () => heap.used,
    };
  }

  it('collects twice once a grown heap has gone quiet, then not again until it grows', () => {
    const { heap, collect, heapUsed } = fakeHeap(5 * MiB);
    const trims: Array<[number, number]> = [];
    const trim = startIdleTrim({
      collect,
      heapUsed,
      intervalMs: 1000,
      onTrim: (before, after) => trims.push([before, after]),
    });
    heap.used = 6 * MiB;
    heap.live = 5.5 * MiB;
    vi.advanceTimersByTime(1000); // still growing since the start
    expect(heap.collections).toBe(0);
    heap.used = 7 * MiB;
    vi.advanceTimersByTime(1000); // still growing
    expect(heap.collections).toBe(0);
    vi.advanceTimersByTime(1000); // quiet, 2 MiB above the start
    expect(heap.collections).toBe(2);
    expect(trims).toEqual([[7 * MiB, 5.5 * MiB]]);
    vi.advanceTimersByTime(10_000); // quiet, nothing new
    expect(heap.collections).toBe(2);
    trim.stop();
  });

  it('trims what booting left behind at the first quiet moment', () => {
    const { heap, collect, heapUsed } = fakeHeap(2 * MiB);
    heap.used = 6 * MiB;
    const trim = startIdleTrim({ collect, heapUsed, intervalMs: 1000 });
    vi.advanceTimersByTime(1000);
    expect(heap.collections).toBe(2);
    expect(heap.used).toBe(2 * MiB);
    trim.stop();
  });

  it('stops sampling when stopped', () => {
    const { heap, collect, heapUsed } = fakeHeap(1 * MiB);
    const sample = vi.fn(heapUsed);
    const trim = startIdleTrim({ collect, heapUsed: sample, intervalMs: 1000 });
    trim.stop();
    heap.used = 10 * MiB;
    vi.advanceTimersByTime(5000);
    expect(sample).toHaveBeenCalledTimes(1);
    expect(heap.collections).toBe(0);
  });
});

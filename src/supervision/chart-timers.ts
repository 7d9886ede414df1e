/**
 * The timers the daemon's process and cluster charts run on (XState's `clock` option; the daemon
 * and app charts have no delays). The same as XState's default, except that a zero delay (the
 * immediate first restart after a crash) fires on this turn of the event loop, after pending I/O,
 * instead of after Node's 1 ms minimum for `setTimeout`: a crashed app's replacement is spawned
 * ~1.5 ms sooner. Order is kept: the event still arrives later.
 */
type ChartTimer = { immediate: NodeJS.Immediate } | { timeout: NodeJS.Timeout };

export const chartTimers = {
  setTimeout(fn: (...args: unknown[]) => void, ms: number): ChartTimer {
    return ms <= 0 ? { immediate: setImmediate(fn) } : { timeout: setTimeout(fn, ms) };
  },
  clearTimeout(timer: ChartTimer): void {
    if ('immediate' in timer) clearImmediate(timer.immediate);
    else clearTimeout(timer.timeout);
  },
};

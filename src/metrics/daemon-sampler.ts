import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { DaemonMetrics } from './openmetrics.js';

const RESOLUTION_MS = 20;

export interface DaemonSampler {
  read(processes: number): DaemonMetrics;
  stop(): void;
}

/**
 * Measures the daemon's own event-loop delay, memory and uptime for `guv_daemon_*`. The
 * histogram is reset at each `read`, so its quantiles cover the time since the last scrape.
 *
 * @example
 * const self = createDaemonSampler();
 * renderMetrics({ processes, daemon: self.read(table.size) }, format);
 * self.stop();
 */
export function createDaemonSampler(now: () => number = Date.now): DaemonSampler {
  const startedAt = now();
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  // The histogram records whole sampling intervals: the delay is what exceeds the resolution.
  const lagSeconds = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS) / 1000;
  return {
    read(processes: number): DaemonMetrics {
      const memory = process.memoryUsage();
      const metrics: DaemonMetrics = {
        processes,
        uptimeSeconds: (now() - startedAt) / 1000,
        rssBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
      };
      if (histogram.count > 0) {
        metrics.loopDelayP50Seconds = lagSeconds(histogram.percentile(50));
        metrics.loopDelayP99Seconds = lagSeconds(histogram.percentile(99));
      }
      histogram.reset();
      return metrics;
    },
    stop(): void {
      histogram.disable();
    },
  };
}

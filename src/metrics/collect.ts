import type { ProcessInfo } from '../types/info.js';
import type { MetricsSample } from './history.js';
import type { ProcessMetrics } from './openmetrics.js';

/**
 * Joins what the bus knows of a process with its newest history sample into the renderer's
 * input. NaN figures (not measured) are left out; delays become seconds.
 *
 * @example
 * processMetrics(info(managed), history.latest(id), Date.now());
 */
export function processMetrics(
  info: Pick<ProcessInfo, 'id' | 'name' | 'status' | 'restarts' | 'startedAt'>,
  sample: MetricsSample | null,
  now: number,
  worker?: number,
): ProcessMetrics {
  const metrics: ProcessMetrics = {
    id: info.id,
    name: info.name,
    up: info.status === 'running',
    restarts: info.restarts,
  };
  if (worker !== undefined) metrics.worker = worker;
  if (info.startedAt !== null) metrics.uptimeSeconds = Math.max(0, (now - info.startedAt) / 1000);
  if (!sample) return metrics;
  const set = (key: keyof ProcessMetrics, value: number) => {
    if (Number.isFinite(value)) (metrics as unknown as Record<string, number>)[key] = value;
  };
  set('cpuPercent', sample.cpuPercent);
  set('rssBytes', sample.rssBytes);
  set('heapUsedBytes', sample.heapUsedBytes);
  set('heapTotalBytes', sample.heapTotalBytes);
  set('loopDelayP50Seconds', sample.loopDelayP50Ms / 1000);
  set('loopDelayP99Seconds', sample.loopDelayP99Ms / 1000);
  return metrics;
}

import type { HeartbeatFigures } from '../actors/wrapper/protocol.js';

/** The figures kept per sample. Sizes in bytes, delays in ms, CPU in % of one core. */
export const METRIC_FIELDS = [
  'cpuPercent',
  'rssBytes',
  'heapUsedBytes',
  'heapTotalBytes',
  'loopDelayP50Ms',
  'loopDelayP99Ms',
  'loopDelayMaxMs',
] as const;

export type MetricField = (typeof METRIC_FIELDS)[number];

/** One sample: `time` is epoch ms; a figure that was not measured is NaN (e.g. heap from /proc). */
export type MetricsSample = { time: number } & Record<MetricField, number>;

/** A series read back: parallel arrays, oldest first. */
export interface MetricSeries {
  times: number[];
  values: number[];
}

export interface MetricsHistoryOptions {
  /** How far back samples are kept. Default one hour. */
  retentionMs?: number;
  /** The shortest expected gap between samples (the heartbeat period). Default 5 s. */
  minIntervalMs?: number;
}

export const DEFAULT_RETENTION_MS = 60 * 60 * 1000;
export const DEFAULT_MIN_INTERVAL_MS = 5000;

const FIELD_COUNT = METRIC_FIELDS.length;
const FIELD_INDEX = new Map<MetricField, number>(METRIC_FIELDS.map((field, i) => [field, i]));

/**
 * One ring per process: a Float64Array of times and one Float32Array holding every figure, so a
 * process costs at most `capacity × (8 + 4 × 7)` bytes however long it runs (about 26 KB for an
 * hour of 5 s heartbeats). The arrays start small and double until they reach the capacity, so a
 * hundred young processes do not cost 2.6 MB of the daemon's memory up front. Figures are stored as
 * float32: a relative error below 1e-7, far under what any gauge needs.
 */
interface Ring {
  times: Float64Array;
  figures: Float32Array;
  /** Index the next sample is written to. */
  next: number;
  size: number;
}

const INITIAL_SLOTS = 16;

/**
 * Bounded metrics history per process, fed by heartbeats (or /proc samples) and read by
 * `guv info`, the dashboard and the metrics endpoint.
 *
 * @example
 * const history = createMetricsHistory();
 * history.record('api', sampleFromHeartbeat(figures, Date.now()));
 * history.latest('api')?.cpuPercent;
 * history.series('api', 'rssBytes', Date.now() - 10 * 60_000);
 */
export function createMetricsHistory(options: MetricsHistoryOptions = {}) {
  const retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
  const minIntervalMs = options.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS;
  if (!(retentionMs > 0)) throw new TypeError(`retentionMs must be > 0, got ${retentionMs}`);
  if (!(minIntervalMs > 0)) throw new TypeError(`minIntervalMs must be > 0, got ${minIntervalMs}`);
  const capacity = Math.max(1, Math.ceil(retentionMs / minIntervalMs));
  const rings = new Map<string, Ring>();

  function ringOf(id: string): Ring {
    let ring = rings.get(id);
    if (!ring) {
      const slots = Math.min(capacity, INITIAL_SLOTS);
      ring = {
        times: new Float64Array(slots),
        figures: new Float32Array(slots * FIELD_COUNT),
        next: 0,
        size: 0,
      };
      rings.set(id, ring);
    }
    return ring;
  }

  /** Until a ring reaches the capacity it never wraps: its samples are slots 0…size-1. */
  function makeRoom(ring: Ring): void {
    const slots = ring.times.length;
    if (ring.size < slots || slots === capacity) return;
    const grown = Math.min(capacity, slots * 2);
    const times = new Float64Array(grown);
    const figures = new Float32Array(grown * FIELD_COUNT);
    times.set(ring.times);
    figures.set(ring.figures);
    ring.times = times;
    ring.figures = figures;
    ring.next = ring.size;
  }

  /** Slot indexes of the samples at or after `sinceMs`, oldest first. */
  function slotsSince(ring: Ring, sinceMs: number): number[] {
    const slots: number[] = [];
    const length = ring.times.length;
    const first = (ring.next - ring.size + length) % length;
    for (let n = 0; n < ring.size; n++) {
      const slot = (first + n) % length;
      if (ring.times[slot]! >= sinceMs) slots.push(slot);
    }
    return slots;
  }

  function readSample(ring: Ring, slot: number): MetricsSample {
    const sample = { time: ring.times[slot]! } as MetricsSample;
    for (let f = 0; f < FIELD_COUNT; f++) {
      sample[METRIC_FIELDS[f]!] = ring.figures[slot * FIELD_COUNT + f]!;
    }
    return sample;
  }

  return {
    /** Samples kept per process at most. */
    capacity,
    record(id: string, sample: MetricsSample): void {
      const ring = ringOf(id);
      makeRoom(ring);
      const slot = ring.next;
      ring.times[slot] = sample.time;
      for (let f = 0; f < FIELD_COUNT; f++) {
        ring.figures[slot * FIELD_COUNT + f] = sample[METRIC_FIELDS[f]!];
      }
      ring.next = (slot + 1) % ring.times.length;
      ring.size = Math.min(ring.times.length, ring.size + 1);
    },
    /** The newest sample of a process, or null when it has none. */
    latest(id: string): MetricsSample | null {
      const ring = rings.get(id);
      if (!ring || ring.size === 0) return null;
      return readSample(ring, (ring.next - 1 + ring.times.length) % ring.times.length);
    },
    /** One figure over time, oldest first, for samples taken at or after `sinceMs`. */
    series(id: string, field: MetricField, sinceMs = Number.NEGATIVE_INFINITY): MetricSeries {
      const ring = rings.get(id);
      const offset = FIELD_INDEX.get(field);
      if (offset === undefined) throw new TypeError(`unknown metric field ${String(field)}`);
      if (!ring) return { times: [], values: [] };
      const slots = slotsSince(ring, sinceMs);
      return {
        times: slots.map((slot) => ring.times[slot]!),
        values: slots.map((slot) => ring.figures[slot * FIELD_COUNT + offset]!),
      };
    },
    /** Every sample at or after `sinceMs`, oldest first. */
    samples(id: string, sinceMs = Number.NEGATIVE_INFINITY): MetricsSample[] {
      const ring = rings.get(id);
      if (!ring) return [];
      return slotsSince(ring, sinceMs).map((slot) => readSample(ring, slot));
    },
    /** Drops a removed process's history. */
    forget(id: string): void {
      rings.delete(id);
    },
    ids(): string[] {
      return [...rings.keys()];
    },
  };
}

export type MetricsHistory = ReturnType<typeof createMetricsHistory>;

/** A sample from the wrapper's heartbeat: CPU % is the CPU time of the period over its length. */
export function sampleFromHeartbeat(figures: HeartbeatFigures, time: number): MetricsSample {
  const cpuMs = (figures.cpuUser + figures.cpuSystem) / 1000;
  return {
    time,
    cpuPercent: figures.periodMs > 0 ? (cpuMs / figures.periodMs) * 100 : Number.NaN,
    rssBytes: figures.rss,
    heapUsedBytes: figures.heapUsed,
    heapTotalBytes: figures.heapTotal,
    loopDelayP50Ms: figures.loopDelayP50,
    loopDelayP99Ms: figures.loopDelayP99,
    loopDelayMaxMs: figures.loopDelayMax,
  };
}

/** A sample from /proc, for a process without the wrapper (no heap or event-loop figures). */
export function sampleFromProc(
  figures: { cpu: number; memory: number },
  time: number,
): MetricsSample {
  return {
    time,
    cpuPercent: figures.cpu,
    rssBytes: figures.memory,
    heapUsedBytes: Number.NaN,
    heapTotalBytes: Number.NaN,
    loopDelayP50Ms: Number.NaN,
    loopDelayP99Ms: Number.NaN,
    loopDelayMaxMs: Number.NaN,
  };
}

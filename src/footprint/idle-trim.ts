/**
 * Gives memory back once a burst of work is over (a hundred starts, a restore, a log flood).
 *
 * V8 compacts the heap of a process that went quiet on its own, but only ~8 s after its last
 * full collection; until then the garbage of the burst stays resident. The daemon is a mostly
 * idle supervisor, so once its heap has stopped moving and sits well above where the last trim
 * left it, it runs two full collections (~10 ms each with 100 apps): the first marks and
 * sweeps, the second finds the emptied pages and gives them back.
 */

export interface TrimPolicy {
  /** The heap is quiet when it moved less than this between two samples. */
  quietBytes: number;
  /** Trim only when the heap grew at least this much since the last trim left it. */
  growthBytes: number;
}

export const DEFAULT_TRIM_POLICY: TrimPolicy = { quietBytes: 64 * 1024, growthBytes: 1024 * 1024 };

export interface HeapSamples {
  /** Heap in use now. */
  used: number;
  /** Heap in use at the previous sample. */
  previous: number;
  /** Heap in use right after the last trim (0 before the first). */
  afterLastTrim: number;
}

/** True when the heap is quiet and holds enough more than after the last trim to be worth it. */
export function shouldTrim(
  samples: HeapSamples,
  policy: TrimPolicy = DEFAULT_TRIM_POLICY,
): boolean {
  const quiet = Math.abs(samples.used - samples.previous) < policy.quietBytes;
  return quiet && samples.used - samples.afterLastTrim >= policy.growthBytes;
}

export interface IdleTrimOptions {
  /** Runs one full garbage collection. */
  collect: () => void;
  /** Bytes of heap in use. */
  heapUsed: () => number;
  intervalMs?: number;
  policy?: TrimPolicy;
  onTrim?: (before: number, after: number) => void;
}

/**
 * Samples the heap every `intervalMs` (an unref'd timer: it never keeps the daemon up) and trims
 * when `shouldTrim` says so.
 *
 * @example
 * const trim = startIdleTrim({ collect: gc, heapUsed: () => getHeapStatistics().used_heap_size });
 * trim.stop();
 */
export function startIdleTrim(options: IdleTrimOptions): { stop(): void } {
  let previous = options.heapUsed();
  // Never trimmed yet: the first quiet moment gives back what booting left behind.
  let afterLastTrim = 0;
  const timer = setInterval(() => {
    const used = options.heapUsed();
    if (shouldTrim({ used, previous, afterLastTrim }, options.policy)) {
      options.collect();
      options.collect();
      afterLastTrim = options.heapUsed();
      options.onTrim?.(used, afterLastTrim);
      previous = afterLastTrim;
      return;
    }
    previous = used;
  }, options.intervalMs ?? 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

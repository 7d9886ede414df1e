import type { ListenerStatus } from '../protocol/replies.js';

export type { ListenerStatus };

export interface ListenerTimers {
  set(run: () => void, ms: number): unknown;
  clear(handle: unknown): void;
  now(): number;
}

export interface OptionalListenerOptions<T> {
  /** `metrics endpoint`: how messages name it. */
  name: string;
  /** Binds and resolves with the open listener; rejects when it cannot. */
  open(): Promise<T>;
  url(listener: T): string;
  close(listener: T): Promise<void>;
  /** Told each failed try (`warn`, with the next try) and the last one (`error`). */
  report(level: 'warn' | 'error', message: string, error: unknown): void;
  /** Told once it listens. */
  opened?(url: string): void;
  /** Tries stop this long after the first failure. */
  giveUpAfterMs?: number;
  timers?: ListenerTimers;
}

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 60_000;
const GIVE_UP_AFTER_MS = 30 * 60_000;

const realTimers: ListenerTimers = {
  set: (run, ms) => setTimeout(run, ms).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
  now: () => Date.now(),
};

/**
 * A listener the daemon can run without: a port that is taken is reported, never fatal. The
 * daemon goes on, and tries again (1 s, 2 s, 4 s … every minute, for 30 minutes), since the
 * port is often held by something on its way out.
 *
 * @example
 * const metrics = createOptionalListener({ name: 'metrics endpoint', open, url: (e) => e.url,
 *   close: (e) => e.close(), report: (level, message) => log[level](message) });
 * await metrics.start(); // never rejects
 * metrics.status(); // { state: 'failed', error: 'cannot listen on 127.0.0.1:9464: …', … }
 */
export function createOptionalListener<T>(options: OptionalListenerOptions<T>) {
  const timers = options.timers ?? realTimers;
  const giveUpAfter = options.giveUpAfterMs ?? GIVE_UP_AFTER_MS;
  let status: ListenerStatus = { state: 'off' };
  let listener: T | null = null;
  let timer: unknown = null;
  let firstFailure: number | null = null;
  let failures = 0;
  let closed = false;

  async function attempt(): Promise<void> {
    timer = null;
    let opened: T;
    try {
      opened = await options.open();
    } catch (error) {
      if (!closed) failed(error);
      return;
    }
    if (closed) {
      await options.close(opened).catch(() => {});
      return;
    }
    listener = opened;
    status = { state: 'listening', url: options.url(opened) };
    options.opened?.(status.url);
  }

  function failed(error: unknown): void {
    const now = timers.now();
    firstFailure ??= now;
    const delay = Math.min(FIRST_RETRY_MS * 2 ** failures, MAX_RETRY_MS);
    failures++;
    const why = oneLine(error);
    const retryAt = now - firstFailure + delay <= giveUpAfter ? now + delay : null;
    status = { state: 'failed', error: why, since: firstFailure, retryAt };
    if (retryAt === null) {
      options.report(
        'error',
        `${options.name}: ${why}; giving up (restart the daemon to retry)`,
        error,
      );
      return;
    }
    options.report('warn', `${options.name}: ${why}; trying again in ${delay / 1000} s`, error);
    timer = timers.set(() => void attempt(), delay);
  }

  return {
    /** The first try; resolves once it listens or failed (and a retry is set). Never rejects. */
    start: (): Promise<void> => attempt(),
    status: (): ListenerStatus => status,
    async close(): Promise<void> {
      closed = true;
      if (timer !== null) timers.clear(timer);
      timer = null;
      if (listener !== null) await options.close(listener);
      listener = null;
    },
  };
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? '';
}

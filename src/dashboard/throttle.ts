export interface LoginThrottleOptions {
  /** Failures allowed per key inside the window before it is locked until the window ends. */
  maxFailures?: number;
  windowMs?: number;
  now?: () => number;
  /** Keys remembered at most (oldest forgotten first): a flood of names cannot fill memory. */
  maxKeys?: number;
}

/**
 * Counts failed logins per key (the user name, and the client address): five failures lock
 * the key for the rest of a 15-minute window, so guessing a password online goes nowhere.
 *
 * @example
 * const throttle = createLoginThrottle();
 * if (!throttle.allowed('user:alice')) return tooMany();
 * if (!ok) throttle.failed('user:alice');
 */
export function createLoginThrottle(options: LoginThrottleOptions = {}) {
  const maxFailures = options.maxFailures ?? 5;
  const windowMs = options.windowMs ?? 15 * 60_000;
  const maxKeys = options.maxKeys ?? 4096;
  const now = options.now ?? Date.now;
  const failures = new Map<string, { count: number; since: number }>();

  function current(key: string) {
    const entry = failures.get(key);
    if (entry && now() - entry.since > windowMs) {
      failures.delete(key);
      return undefined;
    }
    return entry;
  }

  return {
    allowed(key: string): boolean {
      return (current(key)?.count ?? 0) < maxFailures;
    },
    failed(key: string): void {
      const entry = current(key);
      if (entry) entry.count++;
      else failures.set(key, { count: 1, since: now() });
      for (const old of failures.keys()) {
        if (failures.size <= maxKeys) break;
        failures.delete(old);
      }
    },
    succeeded(key: string): void {
      failures.delete(key);
    },
  };
}

/**
 * The restart policy shared by the process and worker charts: pure functions of the policy
 * numbers, the failures seen so far and the exit that just happened. No clock of its own:
 * callers pass `now`.
 */

export type RestartMode = 'always' | 'on-failure' | 'never';

export interface RestartPolicyOptions {
  /** `always` restarts after any unrequested exit, `on-failure` only after code≠0 or a signal. */
  mode: RestartMode;
  /** More than this many failures inside `windowMs` aborts the process. */
  maxFailures: number;
  windowMs: number;
  /** A run that stayed up this long resets the failure count and the backoff. */
  stableMs: number;
  /** The wait before the first restart in a row, and the least any later one waits (pm2's restart_delay). */
  restartDelayMs: number;
  /** The n-th restart in a row (n ≥ 2) waits base·factor^(n-2), capped (and at least restartDelayMs). */
  backoffBaseMs: number;
  backoffFactor: number;
  backoffCapMs: number;
}

/**
 * Defaults chosen so that every unstable crash loop is aborted and every stable process is
 * restarted forever. A run shorter than `stableMs` (30 s) followed by a delay of at most
 * `backoffCapMs` (15 s) lasts at most 45 s, so an unstable loop fails at least 600/45 ≈ 13
 * times in any `windowMs` (10 min): more than `maxFailures` (10), hence aborted within ~10
 * minutes (a process crashing 1 s after each start is aborted after ~50 s). A run that lasted
 * 30 s or more resets the count, so a process crashing once an hour restarts at once, forever.
 */
export const DEFAULT_RESTART_POLICY: Readonly<RestartPolicyOptions> = Object.freeze({
  mode: 'always',
  maxFailures: 10,
  windowMs: 600_000,
  stableMs: 30_000,
  restartDelayMs: 0,
  backoffBaseMs: 100,
  backoffFactor: 2,
  backoffCapMs: 15_000,
});

/** What the policy remembers between exits. Plain data, kept in chart context. */
export interface FailureState {
  /** Times of the failures still inside the window, oldest first. */
  failures: number[];
  /** Restarts since the last stable run; drives the backoff. */
  consecutive: number;
}

export const NO_FAILURES: FailureState = Object.freeze({
  failures: [],
  consecutive: 0,
}) as FailureState;

export interface ExitFacts {
  code: number | null;
  signal: string | null;
  /** When the run that just ended began (null if it never did). */
  runStartedAt: number | null;
  now: number;
}

export type RestartDecision =
  | { action: 'restart'; delayMs: number; state: FailureState }
  | { action: 'abort'; state: FailureState; message: string }
  | { action: 'stop'; state: FailureState };

/** Normalises a partial policy once, at the edge; throws a TypeError naming a bad value. */
export function resolveRestartPolicy(
  partial: Partial<RestartPolicyOptions> = {},
): RestartPolicyOptions {
  const policy = { ...DEFAULT_RESTART_POLICY, ...stripUndefined(partial) };
  if (!['always', 'on-failure', 'never'].includes(policy.mode)) {
    throw new TypeError(
      `restart mode must be always, on-failure or never, received ${String(policy.mode)}`,
    );
  }
  for (const key of [
    'maxFailures',
    'windowMs',
    'stableMs',
    'restartDelayMs',
    'backoffBaseMs',
    'backoffCapMs',
  ] as const) {
    if (!Number.isFinite(policy[key]) || policy[key] < 0) {
      throw new TypeError(
        `restart policy ${key} must be a number ≥ 0, received ${String(policy[key])}`,
      );
    }
  }
  if (!Number.isFinite(policy.backoffFactor) || policy.backoffFactor < 1) {
    throw new TypeError(
      `restart policy backoffFactor must be a number ≥ 1, received ${String(policy.backoffFactor)}`,
    );
  }
  return policy;
}

export function isFailureExit(code: number | null, signal: string | null): boolean {
  return signal !== null || code !== 0;
}

/**
 * Delay before the n-th restart in a row (n starts at 1): restartDelayMs (0 by default), then
 * base, base·factor, … ≤ cap, never less than restartDelayMs.
 */
export function backoffDelay(policy: RestartPolicyOptions, consecutive: number): number {
  const floor = policy.restartDelayMs ?? 0;
  if (consecutive <= 1) return floor;
  return Math.max(
    floor,
    Math.round(
      Math.min(
        policy.backoffCapMs,
        policy.backoffBaseMs * policy.backoffFactor ** (consecutive - 2),
      ),
    ),
  );
}

/**
 * Decides what follows an exit nobody asked for. Every such exit that would be restarted
 * counts as a failure, however long the run lasted; a run that stayed up `stableMs` first
 * wipes the slate.
 */
export function decideAfterExit(
  policy: RestartPolicyOptions,
  state: FailureState,
  exit: ExitFacts,
): RestartDecision {
  const failed = isFailureExit(exit.code, exit.signal);
  if (policy.mode === 'never' || (policy.mode === 'on-failure' && !failed)) {
    return { action: 'stop', state };
  }
  const stable = exit.runStartedAt !== null && exit.now - exit.runStartedAt >= policy.stableMs;
  const previous = stable ? NO_FAILURES : state;
  const failures = [
    ...previous.failures.filter((time) => exit.now - time < policy.windowMs),
    exit.now,
  ];
  const next: FailureState = { failures, consecutive: previous.consecutive + 1 };
  if (failures.length > policy.maxFailures) {
    const span = exit.now - (failures[0] ?? exit.now);
    return {
      action: 'abort',
      state: next,
      message:
        `${failures.length} failures in ${formatDuration(span)} ` +
        `(more than ${policy.maxFailures} in ${formatDuration(policy.windowMs)})`,
    };
  }
  return { action: 'restart', delayMs: backoffDelay(policy, next.consecutive), state: next };
}

/** `950 ms`, `12 s`, `2 min 5 s`, `1 h 3 min`: for messages and `guv why`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 ? `${minutes} min ${seconds % 60} s` : `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

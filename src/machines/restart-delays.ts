import type { RestartPolicyOptions } from './restart-policy.js';

/** pm2's cap of exp_backoff_restart_delay. */
const EXP_BACKOFF_CAP_MS = 15_000;

/** pm2's two ways to wait before a restart, as the start options carry them. */
export interface RestartDelays {
  restartDelayMs: number | null;
  expBackoffRestartDelayMs: number | null;
}

/**
 * pm2's restart delays in guv's policy: restart_delay waits the same before every restart;
 * exp_backoff_restart_delay waits it before the first, then ×1.5 each time up to 15 s; both
 * start over after a run of min_uptime (the policy's stableMs).
 *
 * @example
 * restartDelayPolicy({ restartDelayMs: 2000, expBackoffRestartDelayMs: null });
 * // { restartDelayMs: 2000, backoffBaseMs: 2000, backoffCapMs: 2000 }
 */
export function restartDelayPolicy(delays: RestartDelays): Partial<RestartPolicyOptions> {
  const fixed = delays.restartDelayMs;
  if (fixed !== null) return { restartDelayMs: fixed, backoffBaseMs: fixed, backoffCapMs: fixed };
  const first = delays.expBackoffRestartDelayMs;
  if (first !== null)
    return {
      restartDelayMs: first,
      backoffBaseMs: first * 1.5,
      backoffFactor: 1.5,
      backoffCapMs: Math.max(EXP_BACKOFF_CAP_MS, first),
    };
  return {};
}

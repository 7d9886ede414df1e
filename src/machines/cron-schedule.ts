import { Cron } from 'croner';

/** setTimeout's longest delay: a cron time further away is reached in steps. */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * The next time a (validated) cron expression fires strictly after `now`, in epoch ms, or null.
 * Pure: a paused croner job only computes dates, it starts no timer.
 *
 * @example
 * nextCronTime('0 3 * * *', Date.parse('2026-01-01T02:00:00')); // 03:00 that day, local time
 */
export function nextCronTime(expression: string, now: number): number | null {
  const next = new Cron(expression, { paused: true }).nextRun(new Date(now));
  return next === null ? null : next.getTime();
}

import { MAX_TIMER_MS, nextCronTime } from '../cron-schedule.js';
import type { SupervisionContext } from './supervision-context.js';
import type { SupervisionEvent } from './supervision-events.js';

/** A restart guv decides itself; never counted as a failure by the restart policy. */
export interface TriggeredRestart {
  /** Who asked, as history and events say it: `memory`, `watch` or `cron`. */
  by: 'memory' | 'watch' | 'cron';
  /** One line for `guv why`. */
  reason: string;
}

/** A timer may fire a little before the clock reaches its time. */
const CRON_TOLERANCE_MS = 10;

/** `314572800` → `300 MiB`. */
export function formatMiB(bytes: number): string {
  return `${Math.round(bytes / 1024 ** 2)} MiB`;
}

/** The restart `event` calls for in a running process, or null. Pure. */
export function triggeredRestart(
  context: SupervisionContext,
  event: SupervisionEvent,
): TriggeredRestart | null {
  const { triggers } = context;
  switch (event.type) {
    case 'CHILD.HEARTBEAT': {
      const limit = triggers.maxMemoryBytes;
      if (limit === null || event.rssBytes === undefined || event.rssBytes <= limit) return null;
      return {
        by: 'memory',
        reason: `restarted: RSS ${formatMiB(event.rssBytes)} over the ${formatMiB(limit)} limit`,
      };
    }
    case 'WATCH.SETTLED':
      return triggers.watch === null
        ? null
        : { by: 'watch', reason: `restarted: ${context.changedPath ?? 'a watched file'} changed` };
    case 'CRON.DUE':
      return triggers.cronRestart !== null &&
        context.cronNextAt !== null &&
        context.clock.now() + CRON_TOLERANCE_MS >= context.cronNextAt
        ? { by: 'cron', reason: `restarted: cron "${triggers.cronRestart}"` }
        : null;
    default:
      return null;
  }
}

/**
 * When the cron restart fires next, and how long to wait before checking (a wait longer than a
 * timer can take comes in steps); null without a cron expression.
 */
export function cronWait(context: SupervisionContext): { nextAt: number; delayMs: number } | null {
  const expression = context.triggers.cronRestart;
  if (expression === null) return null;
  const now = context.clock.now();
  const nextAt = nextCronTime(expression, now);
  if (nextAt === null) return null;
  return { nextAt, delayMs: Math.min(Math.max(0, nextAt - now), MAX_TIMER_MS) };
}

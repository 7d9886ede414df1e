import { MAX_TIMER_MS, nextCronTime } from '../cron-schedule.js';
import type { ChartClock } from './supervision-context.js';
import type { SupervisionTriggers } from './triggers.js';

/** A restart guv decides itself; never counted as a failure by the restart policy. */
export interface TriggeredRestart {
  /** Who asked, as history and events say it: `memory`, `watch` or `cron`. */
  by: 'memory' | 'watch' | 'cron';
  /** One line for `guv why`. */
  reason: string;
}

/** What both the process (and worker) chart and the cluster chart keep of their triggers. */
export interface TriggerContext {
  triggers: SupervisionTriggers;
  clock: ChartClock;
  /** When the cron restart fires next (while running), or null. */
  cronNextAt: number | null;
  /** The latest change the watcher reported, until the restart it causes. */
  changedPath: string | null;
}

/** The events that may call for a restart. */
export type TriggerEvent =
  | { type: 'CHILD.HEARTBEAT'; rssBytes?: number }
  | { type: 'WATCH.SETTLED' }
  | { type: 'CRON.DUE' };

/** A timer may fire a little before the clock reaches its time. */
const CRON_TOLERANCE_MS = 10;

/** `314572800` → `300 MiB`. */
export function formatMiB(bytes: number): string {
  return `${Math.round(bytes / 1024 ** 2)} MiB`;
}

/** The restart `event` calls for in a running process, or null. Pure. */
export function triggeredRestart(
  context: TriggerContext,
  event: { type: string },
): TriggeredRestart | null {
  const { triggers } = context;
  const trigger = event as TriggerEvent;
  switch (trigger.type) {
    case 'CHILD.HEARTBEAT': {
      const limit = triggers.maxMemoryBytes;
      const rss = trigger.rssBytes;
      if (limit === null || rss === undefined || rss <= limit) return null;
      return {
        by: 'memory',
        reason: `restarted: RSS ${formatMiB(rss)} over the ${formatMiB(limit)} limit`,
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
export function cronWait(context: TriggerContext): { nextAt: number; delayMs: number } | null {
  const expression = context.triggers.cronRestart;
  if (expression === null) return null;
  const now = context.clock.now();
  // The pending time has come (its timer may fire a hair early): the next one is the one after it.
  const due = context.cronNextAt !== null && context.cronNextAt <= now + CRON_TOLERANCE_MS;
  const nextAt = nextCronTime(expression, due ? Math.max(now, context.cronNextAt!) : now);
  if (nextAt === null) return null;
  return { nextAt, delayMs: Math.min(Math.max(0, nextAt - now), MAX_TIMER_MS) };
}

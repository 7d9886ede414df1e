import type { ProcessStatus } from '../types/info.js';
import { formatDuration } from './restart-policy.js';

/** Why a supervised thing changed status: the facts `guv why` prints. Plain JSON. */
export interface TransitionCause {
  /** The event that caused it: `START`, `CHILD.EXIT`, `after:startTimeout`, `HEARTBEAT.MISSED`… */
  event: string;
  /** Who asked, for START / STOP / RESTART (`cli`, `api`, `daemon`…). */
  by?: string;
  code?: number | null;
  signal?: string | null;
  /** Message of the error involved (spawn failure, startup exception, abort reason). */
  error?: string;
  /** Wait before the next start, when entering `restarting`. */
  delayMs?: number;
  /** Failures counted inside the window, and the time they span. */
  failures?: number;
  failureSpanMs?: number;
}

export interface HistoryEntry {
  /** Epoch ms from the chart's clock. */
  time: number;
  from: ProcessStatus;
  to: ProcessStatus;
  cause: TransitionCause;
}

export const HISTORY_LIMIT = 100;

/** Appends without mutating, keeping the newest `limit` entries. */
export function appendHistory(
  history: readonly HistoryEntry[],
  entry: HistoryEntry,
  limit = HISTORY_LIMIT,
): HistoryEntry[] {
  const next = [...history, entry];
  return next.length > limit ? next.slice(next.length - limit) : next;
}

/** Turns an XState event type into the short name kept in history. */
export function causeEventName(type: string): string {
  // `xstate.after.<delay>.<state id>` → `after:<delay>`
  if (type.startsWith('xstate.after.')) return `after:${type.split('.')[2] ?? 'delay'}`;
  return type;
}

/**
 * One line for `guv why`.
 *
 * @example
 * describeTransition({ time, from: 'running', to: 'restarting',
 *   cause: { event: 'CHILD.EXIT', code: 1, signal: null, delayMs: 200, failures: 3, failureSpanMs: 45_000 } });
 * // → 'restarting at 03:12:07 after exit code 1; 3rd failure in 45 s; next start in 200 ms'
 */
export function describeTransition(entry: HistoryEntry, options: { utc?: boolean } = {}): string {
  const { cause } = entry;
  let line = `${entry.to} at ${clockTime(entry.time, options.utc ?? false)} ${reason(entry)}`;
  if (cause.error !== undefined && !['CHILD.EXIT'].includes(cause.event))
    line += `: ${cause.error}`;
  if (cause.failures !== undefined && cause.failures > 0) {
    line += `; ${ordinal(cause.failures)} failure`;
    if (cause.failures > 1 && cause.failureSpanMs !== undefined)
      line += ` in ${formatDuration(cause.failureSpanMs)}`;
  }
  if (entry.to === 'restarting' && cause.delayMs !== undefined) {
    line +=
      cause.delayMs === 0
        ? '; restarting at once'
        : `; next start in ${formatDuration(cause.delayMs)}`;
  }
  return line;
}

function reason({ cause, from }: HistoryEntry): string {
  const by = cause.by ? ` by ${cause.by}` : '';
  switch (cause.event) {
    case 'START':
      return from === 'restarting' ? 'after the restart delay' : `on start requested${by}`;
    case 'STOP':
      return `on stop requested${by}`;
    case 'RESTART':
      return `on restart requested${by}`;
    case 'CHILD.EXIT':
      return cause.signal
        ? `after signal ${cause.signal}`
        : `after exit code ${cause.code ?? 'unknown'}`;
    case 'CHILD.FORKED':
      return 'after the child was forked';
    case 'CHILD.STARTED':
      return 'after the module loaded';
    case 'CHILD.READY':
      return 'after the child said it is ready';
    case 'CHILD.SPAWN_FAILED':
      return 'after the child could not be spawned';
    case 'CHILD.ERRORED':
      return 'after the module threw on start';
    case 'CHILD.PAUSED':
      return 'waiting for a debugger';
    case 'CHILD.HEARTBEAT':
      return 'after a heartbeat';
    case 'HEARTBEAT.MISSED':
      return 'after missed heartbeats';
    case 'after:startTimeout':
      return 'after the start timeout';
    case 'after:restartDelay':
      return 'after the restart delay';
    default:
      return `after ${cause.event}`;
  }
}

function clockTime(time: number, utc: boolean): string {
  const date = new Date(time);
  const parts = utc
    ? [date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()]
    : [date.getHours(), date.getMinutes(), date.getSeconds()];
  return parts.map((part) => String(part).padStart(2, '0')).join(':');
}

function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${{ 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] ?? 'th'}`;
}

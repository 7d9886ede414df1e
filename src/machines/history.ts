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
  /** Set on an exit by SIGKILL that guv sent because the stop outlived this kill timeout. */
  killTimeoutMs?: number;
  /** A restart guv decided itself (memory limit, file change, cron): `restarted: RSS 312 MiB over…`. */
  restart?: string;
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
  const time = clockTime(entry.time, options.utc ?? false);
  if (cause.restart !== undefined) return `${entry.to} at ${time}; ${cause.restart}`;
  let line = `${entry.to} at ${time} ${reason(entry)}`;
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

/**
 * Why a cluster entered a state whose cause is a condition of its workers (every worker running,
 * every new one ready), whichever worker report completed it; null for other states.
 */
function clusterCondition(from: string, to: string): string | null {
  switch (to) {
    case 'online':
      return 'once every worker was running';
    case 'ready':
      return from === 'starting' ? 'after the cluster manager came up' : 'after a worker went down';
    case 'reloaded':
      return 'once every slot ran a new worker';
    case 'reload-failed':
      return 'after a new worker did not start';
    default:
      return null;
  }
}

function reason({ cause, from, to }: HistoryEntry): string {
  const by = cause.by ? ` by ${cause.by}` : '';
  if (
    ['MANAGER.READY', 'WORKER.STATUS', 'WORKER.LISTENING', 'after:reloadTimeout'].includes(
      cause.event,
    )
  ) {
    const condition = clusterCondition(from, to);
    if (condition)
      return cause.event === 'after:reloadTimeout' ? 'after the reload timeout' : condition;
  }
  switch (cause.event) {
    case 'START':
      return from === 'restarting' ? 'after the restart delay' : `on start requested${by}`;
    case 'STOP':
      return `on stop requested${by}`;
    case 'RESTART':
      return `on restart requested${by}`;
    case 'ADOPT':
      return 're-adopted after daemon restart';
    case 'ADOPT.EXITED':
      if (cause.signal) return `after it died while no daemon ran (signal ${cause.signal})`;
      return cause.code === null || cause.code === undefined
        ? 'after it died while no daemon ran'
        : `after it died while no daemon ran (exit code ${cause.code})`;
    case 'CHILD.EXIT':
      if (cause.signal === 'SIGKILL' && cause.killTimeoutMs !== undefined)
        return `after SIGKILL at the kill timeout (${formatDuration(cause.killTimeoutMs)})`;
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
    case 'after:listenTimeout':
      return 'at the listen timeout';
    case 'after:reloadTimeout':
      return 'after the reload timeout';
    case 'RELOAD':
      return `on reload requested${by}`;
    case 'RESIZE':
      return `on resize requested${by}`;
    case 'MANAGER.READY':
      return 'after the cluster manager came up';
    case 'MANAGER.FAILED':
      return 'after the cluster manager died';
    case 'WORKER.STATUS':
      return to === 'stopped' ? 'once every worker stopped' : 'after a worker changed status';
    case 'WORKER.LISTENING':
      return 'after a worker began listening';
    default:
      return cause.event.startsWith('xstate.error.actor.')
        ? 'after a chart broke'
        : `after ${cause.event.toLowerCase().replace(/[._:]+/g, ' ')}`;
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

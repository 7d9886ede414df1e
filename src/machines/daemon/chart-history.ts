import { causeEventName, HISTORY_LIMIT, type TransitionCause } from '../history.js';

/**
 * history.ts's entry shape for charts whose states are not process statuses (daemon, app,
 * cluster): the same `{ time, from, to, cause }`, so `guv why` can read every chart alike.
 */
export interface ChartHistoryEntry<S extends string> {
  time: number;
  from: S;
  to: S;
  cause: TransitionCause;
}

/** Appends without mutating, keeping the newest `limit` entries. */
export function appendChartHistory<S extends string>(
  history: readonly ChartHistoryEntry<S>[],
  entry: { time: number; from: S; to: S; eventType: string; error?: string },
  limit = HISTORY_LIMIT,
): ChartHistoryEntry<S>[] {
  const cause: TransitionCause = { event: causeEventName(entry.eventType) };
  if (entry.error !== undefined) cause.error = entry.error;
  const next = [...history, { time: entry.time, from: entry.from, to: entry.to, cause }];
  return next.length > limit ? next.slice(next.length - limit) : next;
}

/** The message of the error an event carries (actor error or FATAL), for the history's cause. */
export function eventErrorMessage(event: { type: string; error?: unknown }): string | undefined {
  const { error } = event;
  if (error === undefined || error === null) return undefined;
  if (typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') {
    return (error as { message: string }).message;
  }
  return String(error);
}

/** What every non-process chart keeps to record its transitions. */
export interface RecordingContext<S extends string> {
  state: S;
  history: ChartHistoryEntry<S>[];
  clock: { now(): number };
  historyLimit: number | undefined;
}

/**
 * The context update of a chart's `record` action on entering `state`: the new state and its
 * history entry, caused by `event`.
 *
 * @example
 * record: assign(({ context, event }, params: { state: AppState }) => recordState(context, event, params.state)),
 */
export function recordState<S extends string>(
  context: RecordingContext<S>,
  event: { type: string },
  state: S,
): { state: S; history: ChartHistoryEntry<S>[] } {
  return {
    state,
    history: appendChartHistory(
      context.history,
      {
        time: context.clock.now(),
        from: context.state,
        to: state,
        eventType: event.type,
        error: eventErrorMessage(event as { type: string; error?: unknown }),
      },
      context.historyLimit,
    ),
  };
}

import type { AnyActorRef, SnapshotFrom, Subscription } from 'xstate';
import { GuvError } from '../errors.js';

export interface SettleOptions<TSnapshot> {
  timeoutMs: number;
  /** The request, for messages: `start`. */
  what: string;
  /** Whose chart it is, for messages: `web`. */
  name: string;
  /** Where the chart is, for a timeout's message: `status starting`. */
  where(snapshot: TSnapshot): string;
}

/**
 * Waits for the outcome of a request sent to a chart (any kind), from the actor's snapshots.
 * `outcome` returns `undefined` while the request is under way and the answer once it is
 * known, or throws to fail it. Pure waiting: the current snapshot, then one subscription and
 * one deadline; no polling. Rejects with GUV_TIMEOUT after `timeoutMs`, and with
 * GUV_CHART_FAILED when the chart errors or ends with no outcome.
 *
 * @example
 * actor.send({ type: 'START', by: 'cli' });
 * await settle(actor, (s) => (s.context.status === 'running' ? true : undefined), {
 *   timeoutMs: 30_000, what: 'start', name: 'web', where: (s) => `status ${s.context.status}`,
 * });
 */
export function settle<TActor extends AnyActorRef, T>(
  actor: TActor,
  outcome: (snapshot: SnapshotFrom<TActor>) => T | undefined,
  options: SettleOptions<SnapshotFrom<TActor>>,
): Promise<T> {
  const snapshotNow = () => actor.getSnapshot() as SnapshotFrom<TActor>;
  return new Promise<T>((resolve, reject) => {
    let subscription: Subscription | undefined;
    let finished = false;
    const finish = (end: () => void) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      subscription?.unsubscribe();
      end();
    };
    const check = (snapshot: SnapshotFrom<TActor>) => {
      try {
        const answer = answerOf(snapshot, outcome, options);
        if (answer !== undefined) finish(() => resolve(answer));
      } catch (error) {
        finish(() => reject(error));
      }
    };
    const timer = setTimeout(
      () => finish(() => reject(timeoutError(options, snapshotNow()))),
      options.timeoutMs,
    );
    check(snapshotNow());
    if (finished) return;
    subscription = actor.subscribe({
      next: (snapshot: unknown) => check(snapshot as SnapshotFrom<TActor>),
      error: (error: unknown) => finish(() => reject(chartFailed(options, error))),
      complete: () => check(snapshotNow()),
    });
  });
}

/** The outcome in `snapshot`, undefined while under way; throws when there will be none. */
function answerOf<TSnapshot, T>(
  snapshot: TSnapshot,
  outcome: (snapshot: TSnapshot) => T | undefined,
  options: SettleOptions<TSnapshot>,
): T | undefined {
  const { status, error } = snapshot as { status: string; error?: unknown };
  if (status === 'error') throw chartFailed(options, error);
  const answer = outcome(snapshot);
  if (answer === undefined && status !== 'active') {
    throw chartFailed(options, new Error(`the chart ended before the ${options.what} did`));
  }
  return answer;
}

function chartFailed(options: SettleOptions<unknown>, cause: unknown): GuvError {
  return new GuvError('GUV_CHART_FAILED', `the chart of ${options.name} failed`, { cause });
}

function timeoutError<TSnapshot>(options: SettleOptions<TSnapshot>, snapshot: TSnapshot): GuvError {
  return new GuvError(
    'GUV_TIMEOUT',
    `${options.what} of ${options.name} did not finish within ${options.timeoutMs} ms (${options.where(snapshot)})`,
  );
}

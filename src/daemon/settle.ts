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
  const { what, name, timeoutMs } = options;
  const snapshotNow = () => actor.getSnapshot() as SnapshotFrom<TActor>;
  return new Promise<T>((resolve, reject) => {
    let finished = false;
    let subscription: Subscription | undefined;
    const finish = (end: () => void) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      subscription?.unsubscribe();
      end();
    };
    const chartFailed = (cause: unknown) =>
      new GuvError('GUV_CHART_FAILED', `the chart of ${name} failed`, { cause });
    const check = (snapshot: SnapshotFrom<TActor>) => {
      const { status } = snapshot as { status: string; error?: unknown };
      if (status === 'error') {
        finish(() => reject(chartFailed((snapshot as { error?: unknown }).error)));
        return;
      }
      let answer: T | undefined;
      try {
        answer = outcome(snapshot);
      } catch (error) {
        finish(() => reject(error));
        return;
      }
      if (answer !== undefined) finish(() => resolve(answer));
      else if (status !== 'active') {
        finish(() => reject(chartFailed(new Error(`the chart ended before the ${what} did`))));
      }
    };
    const timer = setTimeout(
      () =>
        finish(() =>
          reject(
            new GuvError(
              'GUV_TIMEOUT',
              `${what} of ${name} did not finish within ${timeoutMs} ms (${options.where(snapshotNow())})`,
            ),
          ),
        ),
      timeoutMs,
    );
    check(snapshotNow());
    if (finished) return;
    subscription = actor.subscribe({
      next: (snapshot: unknown) => check(snapshot as SnapshotFrom<TActor>),
      error: (error: unknown) => finish(() => reject(chartFailed(error))),
      complete: () => check(snapshotNow()),
    });
  });
}

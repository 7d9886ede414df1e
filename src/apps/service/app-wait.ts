import type { Actor } from 'xstate';
import { isGuvErrorCode } from '../../error-codes.js';
import { GuvError } from '../../errors.js';
import type { appMachine } from '../../machines/app/app-machine.js';
import type { AppOperation, AppOutcome } from '../../machines/app/app-outcome.js';
import { settle } from '../../supervision/settle.js';

/**
 * How long a request waits for its app chart's outcome. Clones and npm installs can take
 * minutes on a slow network; each deadline stays under the client's 30-minute wait for app
 * requests (LONG_MS in src/client/apps.ts), so the caller hears the daemon's GUV_TIMEOUT.
 */
export const APP_TIMEOUTS_MS: Readonly<Record<AppOperation, number>> = {
  install: 25 * 60_000,
  setRef: 25 * 60_000,
  updateRefs: 10 * 60_000,
  remove: 5 * 60_000,
};

export type AppSuccess<O extends AppOperation> = Extract<AppOutcome, { ok: true; operation: O }>;

/**
 * The answer to `operation` in an app chart's `outcome`: undefined while it runs, the success,
 * or (thrown) the failure as a GuvError with the failure's own code.
 */
export function answerOf<O extends AppOperation>(
  outcome: AppOutcome | null,
  operation: O,
): AppSuccess<O> | undefined {
  if (outcome === null) return undefined;
  if (outcome.operation !== operation) {
    throw new GuvError(
      'GUV_CHART_FAILED',
      `app "${outcome.app.name}" answered ${outcome.operation} to a ${operation} request`,
    );
  }
  if (!outcome.ok) {
    const { code, message } = outcome.error;
    throw new GuvError(
      code !== undefined && isGuvErrorCode(code) ? code : 'GUV_APP_FAILED',
      message,
    );
  }
  return outcome as AppSuccess<O>;
}

/**
 * Waits, from the chart's snapshots and up to `timeoutMs`, for the outcome of the `operation`
 * just sent to (or started in) the app chart of `name`.
 *
 * @example
 * actor.send({ type: 'REMOVE' });
 * const { app } = await waitForApp(actor, 'remove', 'web', APP_TIMEOUTS_MS.remove);
 */
export function waitForApp<O extends AppOperation>(
  actor: Actor<typeof appMachine>,
  operation: O,
  name: string,
  timeoutMs: number,
): Promise<AppSuccess<O>> {
  return settle(actor, (snapshot) => answerOf(snapshot.context.outcome, operation), {
    timeoutMs,
    what: operation,
    name: `app "${name}"`,
    where: (snapshot) => `state ${snapshot.context.state}`,
  });
}

/**
 * Runs `work` (git or npm outside any chart, which end when `signal` aborts) for at most
 * `timeoutMs`: past it the work is aborted and, once it has cleaned up, GUV_TIMEOUT `message`.
 *
 * @example
 * await withinDeadline(60_000, 'the clone did not finish', (signal) => cloneInto(url, dir, { signal }));
 */
export async function withinDeadline<T>(
  timeoutMs: number,
  message: string,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    return await work(controller.signal);
  } catch (error) {
    if (controller.signal.aborted) throw new GuvError('GUV_TIMEOUT', message, { cause: error });
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

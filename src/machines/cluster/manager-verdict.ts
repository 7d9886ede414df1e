import type { SerializedError } from '../../types/info.js';
import { decideAfterExit, type FailureState } from '../restart-policy.js';
import type { ClusterContext, ManagerVerdict } from './cluster-types.js';

/**
 * The restart policy's word on a manager that just died. A manager never exits on its own
 * accord, so every death counts as a failure (code 1), whatever the policy's mode.
 */
export function decideAfterManager(context: ClusterContext): {
  verdict: ManagerVerdict;
  failure: FailureState;
} {
  const decision = decideAfterExit(context.restartPolicy, context.failure, {
    code: 1,
    signal: null,
    runStartedAt: context.runStartedAt,
    now: context.clock.now(),
  });
  const verdict: ManagerVerdict =
    decision.action === 'restart'
      ? { action: 'restart', delayMs: decision.delayMs }
      : decision.action === 'abort'
        ? { action: 'abort', error: abortError(`aborted after ${decision.message}`) }
        : { action: 'fail' };
  return { verdict, failure: decision.state };
}

/** Why a cluster whose every worker slot aborted is aborted too. */
export function everyWorkerAbortedError(context: ClusterContext): SerializedError {
  return abortError(
    `every worker aborted (${context.slots.length} of ${context.instances}); ` +
      `see guv why ${context.name} --worker <index>`,
  );
}

function abortError(message: string): SerializedError {
  return { name: 'GuvError', code: 'GUV_PROCESS_ABORTED', message };
}

/** The delay before the next run, while `restarting`. */
export function restartDelayOf(context: ClusterContext): number {
  return context.verdict?.action === 'restart' ? context.verdict.delayMs : 0;
}

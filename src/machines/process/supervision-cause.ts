import type { EventObject } from 'xstate';
import type { ProcessStatus } from '../../types/info.js';
import { causeEventName, type TransitionCause } from '../history.js';
import { listenTimeoutWarning, type SupervisionContext } from './supervision-context.js';

/** The history cause of entering `to`, from the triggering event and the context. */
export function causeOf(
  event: EventObject,
  context: SupervisionContext,
  to: ProcessStatus,
): TransitionCause {
  const cause: TransitionCause = { event: causeEventName(event.type) };
  const fields = event as {
    by?: unknown;
    code?: unknown;
    signal?: unknown;
    error?: { message?: unknown };
  };
  if (typeof fields.by === 'string') cause.by = fields.by;
  // Only what follows a request is the requester's doing: an exit while stopping, not a crash.
  else if (
    context.requestedBy !== null &&
    context.status === 'stopping' &&
    ['stopped', 'restarting'].includes(to)
  ) {
    cause.by = context.requestedBy;
  }
  if (event.type === 'ADOPT.EXITED') {
    cause.code = fields.code as number | null;
    cause.signal = fields.signal as string | null;
  }
  if (event.type === 'CHILD.EXIT') {
    cause.code = fields.code as number | null;
    cause.signal = fields.signal as string | null;
    const stopping = context.status === 'stopping' ? context.history.at(-1) : undefined;
    const { killMs } = context.timeouts;
    // guv's SIGKILL: the stop outlived its kill timeout.
    if (cause.signal === 'SIGKILL' && stopping && context.clock.now() - stopping.time >= killMs)
      cause.killTimeoutMs = killMs;
  }
  if (typeof fields.error?.message === 'string') cause.error = fields.error.message;
  else if (context.lastError !== null && ['errored', 'failed', 'aborted'].includes(to)) {
    cause.error = context.lastError.message;
  }
  if (to === 'stopping' && context.restartReason !== null) cause.restart = context.restartReason;
  if (cause.event === 'after:listenTimeout') cause.error = listenTimeoutWarning(context.timeouts);
  const counted =
    (event.type === 'CHILD.EXIT' && !context.restartRequested) || event.type === 'ADOPT.EXITED';
  if (to === 'restarting') cause.delayMs = context.nextDelayMs;
  if (counted && (to === 'restarting' || to === 'aborted')) {
    const { failures } = context.failure;
    cause.failures = failures.length;
    cause.failureSpanMs = context.clock.now() - (failures[0] ?? context.clock.now());
  }
  return cause;
}

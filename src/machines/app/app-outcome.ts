import type { BusEvent } from '../../bus/events.js';
import type { AppInfo, SerializedError } from '../../types/info.js';

/** The requests an app chart answers: its install (it starts with it), then one at a time. */
export type AppOperation = 'install' | 'updateRefs' | 'setRef' | 'remove';

/**
 * How the last request ended, kept in the chart's context (null while one runs) so a caller
 * reads its answer from a snapshot. `app` is the app as the request left it.
 */
export type AppOutcome =
  | { ok: true; operation: 'install'; app: AppInfo }
  | { ok: true; operation: 'remove'; app: AppInfo }
  | { ok: true; operation: 'updateRefs'; app: AppInfo; refs: string[] }
  | { ok: true; operation: 'setRef'; app: AppInfo; oldRef: string | null; newRef: string }
  | {
      ok: false;
      operation: AppOperation;
      app: AppInfo;
      error: SerializedError;
      /** A ref switch that failed and went back to the old ref and its dependencies. */
      reverted: boolean;
    };

/** The event that announces `outcome` on the bus (`app:failed` for every failure). */
export function outcomeEvent(outcome: AppOutcome): BusEvent {
  if (!outcome.ok) return { type: 'app:failed', args: [outcome.app, outcome.error] };
  switch (outcome.operation) {
    case 'install':
      return { type: 'app:installed', args: [outcome.app] };
    case 'remove':
      return { type: 'app:removed', args: [outcome.app] };
    case 'updateRefs':
      return { type: 'app:refs:updated', args: [outcome.app, outcome.refs] };
    case 'setRef':
      return { type: 'app:refs:switched', args: [outcome.app, outcome.oldRef, outcome.newRef] };
  }
}

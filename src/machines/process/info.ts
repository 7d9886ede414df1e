import type { ProcessInfo } from '../../types/info.js';
import type { SupervisionContext } from './supervision-context.js';

/** The ProcessInfo every `process:*` event carries, built from chart context. */
export function processInfo(context: SupervisionContext): ProcessInfo {
  return {
    id: context.id,
    name: context.name,
    script: context.spec.script,
    pid: context.pid,
    status: context.status,
    restarts: context.restarts,
    startedAt: context.startedAt,
  };
}

import { GuvError } from '../errors.js';
import type { StartRequest } from '../protocol/start-options.js';
import type { Supervised } from '../supervision/supervised.js';
import type { ProcessInfo, ClusterInfo } from '../types/info.js';
import { objectParams } from '../rpc/params.js';
import { parseStartOptions } from '../protocol/start-options.js';
import { START_FLAGS, type StartFlag, type StartFlagField } from '../protocol/start-flags.js';

/** Options a started process cannot take (its definition is kept), named by their CLI flags. */
const FIXED_OPTIONS: ReadonlyArray<[StartFlagField, (request: StartRequest) => boolean]> = [
  ['name', (r) => r.name !== null],
  ['args', (r) => r.args.length > 0],
  ['execArgv', (r) => r.execArgv.length > 0],
  ['instances', (r) => r.instances !== null],
  ['user', (r) => r.user !== null],
  ['group', (r) => r.group !== null],
  ['debug', (r) => r.debug],
  ['interpreter', (r) => r.interpreter !== null],
  ['restart', (r) => r.restart !== null],
  ['killTimeoutMs', (r) => r.killTimeoutMs !== null],
  ['startTimeoutMs', (r) => r.startTimeoutMs !== null],
  ['listenTimeoutMs', (r) => r.listenTimeoutMs !== null],
  ['appReadiness', (r) => r.appReadiness],
  ['policy.maxFailures', (r) => r.policy.maxFailures !== undefined],
  ['policy.windowMs', (r) => r.policy.windowMs !== undefined],
  ['policy.stableMs', (r) => r.policy.stableMs !== undefined],
];

/** `-n`, `-a/--` (arguments also come after `--`), `--restart`: how a message names a flag. */
function flagLabel(field: StartFlagField): string {
  const flag: StartFlag = START_FLAGS[field];
  const name = flag.short ?? flag.long;
  return field === 'args' ? `${name}/--` : name;
}

/**
 * `start <existing name>`: starts it as it was defined. With `updateEnv` (the CLI's `--env` or
 * `--update-env`) it takes the request's environment, as pm2's --update-env does, and restarts
 * if it runs. Any other option is refused in one line: it would be silently ignored otherwise.
 */
export async function startExisting(
  existing: Supervised,
  request: StartRequest,
  timeoutMs: number,
): Promise<ProcessInfo | ClusterInfo> {
  const given = FIXED_OPTIONS.filter(([, isGiven]) => isGiven(request)).map(([field]) =>
    flagLabel(field),
  );
  const { name } = existing.definition;
  if (given.length > 0) {
    throw new GuvError(
      'GUV_BAD_ARGUMENT',
      `${name} exists already: ${given.join(', ')} would change how it runs; 'guv remove ${name}' and start it again (only --env applies to a started process)`,
    );
  }
  if (!request.updateEnv) return existing.start('cli', timeoutMs);
  existing.updateEnv(request.env);
  return existing.info().pid === null
    ? existing.start('cli', timeoutMs)
    : existing.restart('cli', timeoutMs);
}

/** `restart`'s `env` with `updateEnv: true` (pm2's --update-env), validated; null without. */
export function updatedEnv(params: unknown): Record<string, string> | null {
  const p = objectParams(params);
  if (p.updateEnv !== true) return null;
  return parseStartOptions({ target: 'restart', env: p.env }).env;
}

import { GuvError } from '../errors.js';
import type { StartRequest } from '../protocol/start-options.js';
import type { Supervised } from '../supervision/supervised.js';
import type { ProcessInfo, ClusterInfo } from '../types/info.js';
import { objectParams } from '../rpc/params.js';
import { parseStartOptions } from '../protocol/start-options.js';

/** Options a started process cannot take (its definition is kept), as the CLI spells them. */
const FIXED_OPTIONS: ReadonlyArray<[string, (request: StartRequest) => boolean]> = [
  ['-n', (r) => r.name !== null],
  ['-a/--', (r) => r.args.length > 0],
  ['-e', (r) => r.execArgv.length > 0],
  ['-i', (r) => r.instances !== null],
  ['-u', (r) => r.user !== null],
  ['-g', (r) => r.group !== null],
  ['-d', (r) => r.debug],
  ['--interpreter', (r) => r.interpreter !== null],
  ['--restart', (r) => r.restart !== null],
  ['--kill-timeout', (r) => r.killTimeoutMs !== null],
  ['--start-timeout', (r) => r.startTimeoutMs !== null],
  ['--listen-timeout', (r) => r.listenTimeoutMs !== null],
  ['--wait-ready', (r) => r.appReadiness],
  ['--max-restarts', (r) => r.policy.maxFailures !== undefined],
  ['--restart-window', (r) => r.policy.windowMs !== undefined],
  ['--min-uptime', (r) => r.policy.stableMs !== undefined],
];

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
  const given = FIXED_OPTIONS.filter(([, isGiven]) => isGiven(request)).map(([flag]) => flag);
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

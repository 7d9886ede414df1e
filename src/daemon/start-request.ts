import { type AccountDatabase, checkAccountName } from '../accounts/names.js';
import { GuvError } from '../errors.js';

export type RestartMode = 'always' | 'on-failure' | 'never';

/** The `start` RPC's parameters, as the daemon trusts them after `parseStartRequest`. */
export interface StartRequest {
  /** Absolute path of a script or executable, or the name of a known process or app. */
  target: string;
  name: string | null;
  args: string[];
  execArgv: string[];
  interpreter: 'node' | 'none' | null;
  cwd: string | null;
  env: Record<string, string>;
  user: string | null;
  group: string | null;
  /** null: a single process; a number or 'max': a cluster with that many workers. */
  instances: number | 'max' | null;
  restart: RestartMode | null;
  killTimeoutMs: number | null;
  startTimeoutMs: number | null;
  appReadiness: boolean;
  debug: boolean;
  /** Restart-policy numbers that differ from the defaults. */
  policy: RestartPolicyNumbers;
}

export interface RestartPolicyNumbers {
  maxFailures?: number;
  windowMs?: number;
  stableMs?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
}

const POLICY_NUMBERS = [
  'maxFailures',
  'windowMs',
  'stableMs',
  'backoffBaseMs',
  'backoffCapMs',
] as const;

function parsePolicy(value: unknown): RestartPolicyNumbers {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) fail('policy must be an object');
  const policy: RestartPolicyNumbers = {};
  for (const [key, number] of Object.entries(value as Record<string, unknown>)) {
    if (!(POLICY_NUMBERS as readonly string[]).includes(key)) {
      fail(`unknown restart policy setting "${key}" (known: ${POLICY_NUMBERS.join(', ')})`);
    }
    const ms = positiveMs(number, `policy.${key}`);
    if (ms !== null) policy[key as (typeof POLICY_NUMBERS)[number]] = ms;
  }
  return policy;
}

const RESTART_MODES: readonly RestartMode[] = ['always', 'on-failure', 'never'];
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function fail(message: string): never {
  throw new GuvError('GUV_BAD_ARGUMENT', message);
}

function optionalString(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length === 0) fail(`${field} must be a non-empty string`);
  if (value.includes('\0')) fail(`${field} must not contain a NUL byte`);
  return value;
}

function accountName(value: unknown, database: AccountDatabase): string | null {
  const name = optionalString(value, database === 'passwd' ? 'user' : 'group');
  return name === null ? null : checkAccountName(database, name);
}

function stringList(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (
    !Array.isArray(value) ||
    value.some((item) => typeof item !== 'string' || item.includes('\0'))
  )
    fail(`${field} must be a list of strings`);
  return value as string[];
}

function positiveMs(value: unknown, field: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 86_400_000)
    fail(
      `${field} must be a whole number of milliseconds between 0 and 86400000, got ${JSON.stringify(value)}`,
    );
  return value;
}

/** Validates a process name: the characters that are safe in file names and on the command line. */
export function parseProcessName(value: string): string {
  if (!NAME_PATTERN.test(value) || value.includes('..'))
    fail(
      `invalid name "${value}": use letters, digits, ".", "_" and "-" (at most 64, not starting with "." or "-")`,
    );
  if (/^\d+$/.test(value))
    fail(`invalid name "${value}": a name cannot be only digits (it would look like a pid)`);
  return value;
}

export function parseInstances(value: unknown): number | 'max' | null {
  if (value === undefined || value === null) return null;
  if (value === 'max') return 'max';
  const count = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 1024)
    fail(`instances must be a number from 1 to 1024 or "max", got ${JSON.stringify(value)}`);
  return count;
}

/** Parses untrusted `start` parameters (from the socket) into a StartRequest. */
export function parseStartRequest(params: unknown): StartRequest {
  if (typeof params !== 'object' || params === null) fail('start needs an object of parameters');
  const p = params as Record<string, unknown>;
  const target =
    optionalString(p.target, 'target') ??
    fail('start needs a script, a process name or an app name');
  const name = optionalString(p.name, 'name');
  const env = p.env ?? {};
  if (typeof env !== 'object' || env === null || Array.isArray(env))
    fail('env must be an object of strings');
  for (const [key, value] of Object.entries(env)) {
    if (typeof value !== 'string' || key.includes('=') || key.length === 0 || key.includes('\0'))
      fail(`env ${key} must be a string value with a name without "="`);
  }
  const interpreter = p.interpreter ?? null;
  if (interpreter !== null && interpreter !== 'node' && interpreter !== 'none')
    fail(`interpreter must be "node" or "none", got ${JSON.stringify(interpreter)}`);
  const restart = p.restart ?? null;
  if (restart !== null && !RESTART_MODES.includes(restart as RestartMode))
    fail(`restart must be one of ${RESTART_MODES.join(', ')}, got ${JSON.stringify(restart)}`);
  return {
    target,
    name: name === null ? null : parseProcessName(name),
    args: stringList(p.args, 'args'),
    execArgv: stringList(p.execArgv, 'execArgv'),
    interpreter: interpreter as StartRequest['interpreter'],
    cwd: optionalString(p.cwd, 'cwd'),
    env: env as Record<string, string>,
    user: accountName(p.user, 'passwd'),
    group: accountName(p.group, 'group'),
    instances: parseInstances(p.instances),
    restart: restart as RestartMode | null,
    killTimeoutMs: positiveMs(p.killTimeoutMs, 'killTimeoutMs'),
    startTimeoutMs: positiveMs(p.startTimeoutMs, 'startTimeoutMs'),
    appReadiness: p.appReadiness === true,
    debug: p.debug === true,
    policy: parsePolicy(p.policy),
  };
}

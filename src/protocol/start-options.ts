import { type AccountDatabase, checkAccountName } from '../accounts/names.js';
import { GuvError } from '../errors.js';
import { parseByteSize } from './byte-size.js';
import { parseCronExpression } from './cron-expression.js';

// The one parser of `start`'s options: the CLI turns its flags into the raw object and calls it,
// the client calls it before sending, the daemon calls it on what arrives. Pure.

export type RestartMode = 'always' | 'on-failure' | 'never';

/** Restart-policy numbers that differ from the defaults. */
export interface RestartPolicyNumbers {
  /** More than this many failures inside `windowMs` aborts the process (a count). */
  maxFailures?: number;
  windowMs?: number;
  stableMs?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
}

/** The `start` parameters once validated: every field present, null when not given. */
export interface StartRequest {
  /** A script or executable (absolute, or relative to `cwd`), or the name of a known process or app. */
  target: string;
  name: string | null;
  args: string[];
  execArgv: string[];
  /**
   * 'node' (guv's wrapper), 'none' (executed directly), a command name looked up on the caller's
   * PATH (`bash`, `python3`, `tsx`) or an absolute path; null: by the script's extension.
   */
  interpreter: string | null;
  cwd: string | null;
  env: Record<string, string>;
  user: string | null;
  group: string | null;
  /** null: a single process; a number or 'max': a cluster with that many workers. */
  instances: number | 'max' | null;
  restart: RestartMode | null;
  killTimeoutMs: number | null;
  startTimeoutMs: number | null;
  /**
   * With `appReadiness`: how long after its module loaded the app has to say ready; then it is
   * treated as ready, with a warning (pm2's listen_timeout). Default 3 s, as pm2's.
   */
  listenTimeoutMs: number | null;
  /**
   * For a process that exists already: take this request's `env` (pm2's --update-env) and
   * restart it. Without it, a start of an existing process takes no options.
   */
  updateEnv: boolean;
  /** The app signals readiness itself with `process.send('ready')`. */
  appReadiness: boolean;
  /** Start paused, waiting for a debugger (`--inspect-brk`). */
  debug: boolean;
  /** Restart-policy numbers (defaults: 10 failures in 10 min abort; 30 s up is stable; backoff 100 ms ×2 up to 15 s). */
  policy: RestartPolicyNumbers;
  /** pm2's restart_delay: a fixed wait before every automatic restart. */
  restartDelayMs: number | null;
  /** pm2's exp_backoff_restart_delay: the first automatic restart waits this, then ×1.5, up to 15 s. */
  expBackoffRestartDelayMs: number | null;
  /** Restart when a file changes under these paths ([]: the cwd); null: no watching. */
  watch: string[] | null;
  /** Globs left out of watching, besides node_modules and .git (always left out). */
  ignoreWatch: string[];
  /** Changes within this long of each other make one restart (default 500 ms). */
  watchDelayMs: number | null;
  /** A resident set (from the heartbeat) above this many bytes restarts it gracefully. */
  maxMemoryBytes: number | null;
  /** A cron expression (5 or 6 fields): restarted each time it fires. */
  cronRestart: string | null;
  /** false: output lines are written as they come, without guv's time prefix (null: prefixed). */
  logTime: boolean | null;
  /** Standard output (and info records) also go to this file, opened as the app's user. */
  outFile: string | null;
  /** Standard error (and error records) also go to this file, opened as the app's user. */
  errorFile: string | null;
}

/** What `startProcess` accepts besides the script: the CLI's flags, spelled out; null or absent is the default. */
export type StartOptions = Partial<Omit<StartRequest, 'target'>>;

/** The `start` request as it goes over the wire: what to start, and how. */
export type StartParams = StartOptions & Pick<StartRequest, 'target'>;

const POLICY_DURATIONS = ['windowMs', 'stableMs', 'backoffBaseMs', 'backoffCapMs'] as const;
type PolicyField = `policy.${keyof RestartPolicyNumbers}`;

/** A field of the start options, as errors name it. */
export type StartField = Exclude<keyof StartRequest, 'policy'> | PolicyField;

/** How errors name each field: the API's names by default; the CLI passes its flags. */
export type FieldNames = Partial<Record<StartField, string>>;

const MAX_WATCH_ENTRIES = 64;

const RESTART_MODES: readonly RestartMode[] = ['always', 'on-failure', 'never'];
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const COMMAND_NAME = /^[A-Za-z0-9_][A-Za-z0-9._+-]{0,63}$/;
const MAX_PATH = 4096;
const MAX_MS = 86_400_000;
const MAX_FAILURES = 1_000_000;
const UNIT_MS: Record<string, number> = { '': 1, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function fail(message: string): never {
  throw new GuvError('GUV_BAD_ARGUMENT', message);
}

/**
 * Validates untrusted `start` parameters (from the socket, the API or the CLI's flags) into a
 * StartRequest. Numbers may come as text (`"5"`); durations also as `500ms`, `2s`, `10m`, `1h`.
 * Throws GUV_BAD_ARGUMENT (GUV_BAD_USER / GUV_BAD_GROUP for account names) with one line naming
 * the field as `names` spells it.
 *
 * @example
 * parseStartOptions({ target: 'app.js', policy: { maxFailures: '5' } }).policy; // { maxFailures: 5 }
 */
export function parseStartOptions(params: unknown, names: FieldNames = {}): StartRequest {
  const label = (field: StartField) => names[field] ?? field;
  if (typeof params !== 'object' || params === null || Array.isArray(params))
    fail('start needs an object of parameters');
  const p = params as Record<string, unknown>;
  const target =
    optionalString(p.target, label('target')) ??
    fail('start needs a script, a process name or an app name');
  const name = optionalString(p.name, label('name'));
  const request: StartRequest = {
    target,
    name: name === null ? null : parseProcessName(name),
    args: stringList(p.args, label('args')),
    execArgv: stringList(p.execArgv, label('execArgv')),
    interpreter: parseInterpreter(p.interpreter, label('interpreter')),
    cwd: optionalString(p.cwd, label('cwd')),
    env: environment(p.env, label('env')),
    user: accountName(p.user, 'passwd', label('user')),
    group: accountName(p.group, 'group', label('group')),
    instances: parseInstances(p.instances, label('instances')),
    restart: oneOf(p.restart, RESTART_MODES, label('restart')),
    killTimeoutMs: duration(p.killTimeoutMs, label('killTimeoutMs')),
    startTimeoutMs: duration(p.startTimeoutMs, label('startTimeoutMs')),
    listenTimeoutMs: duration(p.listenTimeoutMs, label('listenTimeoutMs')),
    updateEnv: flag(p.updateEnv, label('updateEnv')),
    appReadiness: flag(p.appReadiness, label('appReadiness')),
    debug: flag(p.debug, label('debug')),
    policy: parsePolicy(p.policy, label),
    ...restartDelays(p, label),
    watch: parseWatch(p.watch, label('watch')),
    ignoreWatch: pathList(p.ignoreWatch, label('ignoreWatch')),
    watchDelayMs: duration(p.watchDelayMs, label('watchDelayMs')),
    maxMemoryBytes: parseByteSize(p.maxMemoryBytes, label('maxMemoryBytes')),
    cronRestart: parseCronExpression(p.cronRestart, label('cronRestart')),
    logTime: booleanText(p.logTime, label('logTime')),
    outFile: filePath(p.outFile, label('outFile')),
    errorFile: filePath(p.errorFile, label('errorFile')),
  };
  logTimeNeedsFile(request, label);
  return request;
}

/** Without a log file of the user's, there is no file the time prefix could be left out of. */
function logTimeNeedsFile(request: StartRequest, label: (field: StartField) => string): void {
  if (request.logTime === false && request.outFile === null && request.errorFile === null)
    fail(
      `${label('logTime')} false applies to ${label('outFile')} and ${label('errorFile')}: guv's own log files keep their time prefix (guv logs reads it)`,
    );
}

function restartDelays(p: Record<string, unknown>, label: (field: StartField) => string) {
  const restartDelayMs = duration(p.restartDelayMs, label('restartDelayMs'));
  const expBackoffRestartDelayMs = duration(
    p.expBackoffRestartDelayMs,
    label('expBackoffRestartDelayMs'),
  );
  if (restartDelayMs !== null && expBackoffRestartDelayMs !== null)
    fail(
      `give ${label('restartDelayMs')} or ${label('expBackoffRestartDelayMs')}, not both (a fixed delay or a growing one)`,
    );
  return { restartDelayMs, expBackoffRestartDelayMs };
}

/** `--watch`: true (the cwd), false, one path or a list of paths. */
function parseWatch(value: unknown, field: string): string[] | null {
  if (value === undefined || value === null || value === false) return null;
  if (value === true) return [];
  return pathList(typeof value === 'string' ? [value] : value, field);
}

function pathList(value: unknown, field: string): string[] {
  const list = stringList(value, field);
  if (list.length > MAX_WATCH_ENTRIES) fail(`${field} takes at most ${MAX_WATCH_ENTRIES} entries`);
  for (const item of list)
    if (item.length === 0 || item.length > MAX_PATH || /[\n\r]/.test(item))
      fail(`${field} entries must be non-empty paths of one line, got ${JSON.stringify(item)}`);
  return list;
}

/** A file path for a log: one line, no `..` component (resolved against the cwd later). */
function filePath(value: unknown, field: string): string | null {
  const path = optionalString(value, field);
  if (path === null) return null;
  if (path.length > MAX_PATH || /[\n\r]/.test(path) || path.split('/').includes('..'))
    fail(`${field} must be a file path of one line without "..", got ${JSON.stringify(path)}`);
  if (path.endsWith('/')) fail(`${field} must name a file, not a folder: ${JSON.stringify(path)}`);
  return path;
}

/** true / false, also as the text the CLI passes (`--log-time false`). */
function booleanText(value: unknown, field: string): boolean | null {
  if (value === undefined || value === null) return null;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  fail(`${field} must be true or false, got ${JSON.stringify(value)}`);
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

/** A bare command name that may be looked up on PATH: no slash, no leading dot or dash. */
export function isCommandName(value: string): boolean {
  return COMMAND_NAME.test(value);
}

/** `--interpreter`: 'node', 'none', a command name to look up on PATH, or an absolute path. */
export function parseInterpreter(value: unknown, field = 'interpreter'): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' && (isCommandName(value) || isAbsoluteFile(value))) return value;
  fail(
    `${field} must be node, none, a command name (bash, python3, tsx) or an absolute path, got ${JSON.stringify(value)}`,
  );
}

function isAbsoluteFile(value: string): boolean {
  return (
    value.startsWith('/') &&
    value.length <= MAX_PATH &&
    !/[\0\n\r]/.test(value) &&
    !value.split('/').includes('..')
  );
}

/** A cluster's worker count: 1 to 1024, or 'max' (one per CPU); null for a single process. */
export function parseInstances(value: unknown, field = 'instances'): number | 'max' | null {
  if (value === undefined || value === null) return null;
  if (value === 'max') return 'max';
  const count = typeof value === 'string' && /^\d{1,5}$/.test(value) ? Number(value) : value;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 1024)
    fail(`${field} must be a number from 1 to 1024 or "max", got ${JSON.stringify(value)}`);
  return count;
}

function parsePolicy(value: unknown, label: (field: StartField) => string): RestartPolicyNumbers {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) fail('policy must be an object');
  const known = ['maxFailures', ...POLICY_DURATIONS];
  const policy: RestartPolicyNumbers = {};
  for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
    if (!known.includes(key))
      fail(`unknown restart policy setting "${key}" (known: ${known.join(', ')})`);
    const field = label(`policy.${key}` as PolicyField);
    const number = key === 'maxFailures' ? count(raw, field) : duration(raw, field);
    if (number !== null) policy[key as keyof RestartPolicyNumbers] = number;
  }
  return policy;
}

/** A count of failures: a whole number, never a duration. */
function count(value: unknown, field: string): number | null {
  if (value === undefined || value === null) return null;
  const number = typeof value === 'string' && /^\d{1,7}$/.test(value) ? Number(value) : value;
  if (
    typeof number !== 'number' ||
    !Number.isInteger(number) ||
    number < 0 ||
    number > MAX_FAILURES
  )
    fail(
      `${field} must be a whole number of failures from 0 to ${MAX_FAILURES}, got ${JSON.stringify(value)}`,
    );
  return number;
}

/** Milliseconds: a whole number, or text such as `500`, `500ms`, `2s`, `10m`, `1h`. */
function duration(value: unknown, field: string): number | null {
  if (value === undefined || value === null) return null;
  let ms: unknown = value;
  if (typeof value === 'string') {
    const match = /^(\d{1,9})(ms|s|m|h)?$/.exec(value);
    ms = match ? Number(match[1]) * UNIT_MS[match[2] ?? '']! : Number.NaN;
  }
  if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0 || ms > MAX_MS)
    fail(
      `${field} must be a duration from 0 to 24h (milliseconds, or 500ms, 2s, 10m, 1h), got ${JSON.stringify(value)}`,
    );
  return ms;
}

function optionalString(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length === 0) fail(`${field} must be a non-empty string`);
  if (value.includes('\0')) fail(`${field} must not contain a NUL byte`);
  return value;
}

function accountName(value: unknown, database: AccountDatabase, field: string): string | null {
  const name = optionalString(value, field);
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

function environment(value: unknown, field: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    fail(`${field} must be an object of strings`);
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string' || key.includes('=') || key.length === 0 || key.includes('\0'))
      fail(`${field} ${key} must be a string value with a name without "="`);
  }
  return value as Record<string, string>;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T | null {
  if (value === undefined || value === null) return null;
  if (!allowed.includes(value as T))
    fail(
      `${field} must be ${allowed.map((a) => `"${a}"`).join(' or ')}, got ${JSON.stringify(value)}`,
    );
  return value as T;
}

function flag(value: unknown, field: string): boolean {
  if (value === undefined || value === null || value === false) return false;
  if (value !== true) fail(`${field} must be true or false, got ${JSON.stringify(value)}`);
  return true;
}

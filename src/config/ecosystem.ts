import { basename, extname, resolve } from 'node:path';
import { splitArgv } from '../cli/parse-options.js';
import { GuvError } from '../errors.js';
import {
  type FieldNames,
  parseInstances,
  parseStartOptions,
  type StartRequest,
} from '../protocol/start-options.js';
import { PM2_ALIASES, PM2_MAPPED, PM2_TOP_LEVEL } from './pm2-keys.js';

// pm2 ecosystem object → guv start requests, and a warning for every key guv does not honour.
// Pure: the caller passes the file's folder, the environment and the CPU count.

/** What the translation depends on besides the file's export. */
export interface EcosystemContext {
  /** The config file's folder: each app's `cwd` and `script` are relative to it. */
  baseDir: string;
  /** `--env <name>`: merges each app's `env_<name>` over its `env`. */
  envName: string | null;
  /** The environment every app inherits (the CLI's own), under the file's values. */
  baseEnv: Record<string, string>;
  /** `--env K=V` pairs: over the file's values. */
  overrides: Record<string, string>;
  /** For `instances: -1` (every CPU but one) and fork-mode `max`. */
  cpuCount: number;
}

/** One process guv will start for an app of the file. */
export interface PlannedApp {
  name: string;
  request: StartRequest;
  /** Names of the variables the file and `--env` set (values are not shown). */
  envKeys: string[];
  /** guv configs' `dependsOn`: apps that must be running before this one starts. */
  after?: string[];
}

export interface EcosystemPlan {
  apps: PlannedApp[];
  /** One line each, naming the app and the key. */
  warnings: string[];
}

const MAX_APPS = 256;
const MAX_ENV_KEYS = 4096;

/** How the start parser's errors name each field: by the pm2 key it came from. */
export const PM2_FIELD_NAMES: FieldNames = {
  name: 'name',
  args: 'args',
  execArgv: 'node_args',
  interpreter: 'interpreter',
  cwd: 'cwd',
  env: 'env',
  user: 'uid',
  group: 'gid',
  instances: 'instances',
  restart: 'autorestart',
  killTimeoutMs: 'kill_timeout',
  listenTimeoutMs: 'listen_timeout',
  appReadiness: 'wait_ready',
  'policy.maxFailures': 'max_restarts',
  'policy.stableMs': 'min_uptime',
  restartDelayMs: 'restart_delay',
  expBackoffRestartDelayMs: 'exp_backoff_restart_delay',
  watch: 'watch',
  ignoreWatch: 'ignore_watch',
  watchDelayMs: 'watch_delay',
  maxMemoryBytes: 'max_memory_restart',
  cronRestart: 'cron_restart',
  logTime: 'time',
  outFile: 'out_file',
  errorFile: 'error_file',
};

function invalid(message: string, cause?: unknown): never {
  throw new GuvError('GUV_APPS_FILE_INVALID', message, cause === undefined ? {} : { cause });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The app objects of an export: `{ apps: [...] }`, a bare array, or a single app object. */
function appsOf(exported: unknown, warnings: string[]): unknown[] {
  if (Array.isArray(exported)) return exported;
  if (!isObject(exported)) invalid('the file exports no object with an "apps" list');
  if (!('apps' in exported)) {
    if ('script' in exported) return [exported];
    invalid('the file exports no "apps" list');
  }
  for (const key of Object.keys(exported)) {
    if (!PM2_TOP_LEVEL.has(key)) warnings.push(`${key} is not supported by guv (ignored)`);
  }
  const apps = exported.apps;
  if (Array.isArray(apps)) return apps;
  if (isObject(apps)) return [apps];
  invalid('"apps" must be a list of apps');
}

/**
 * Translates a pm2 ecosystem export into the processes guv will start. Throws
 * GUV_APPS_FILE_INVALID with one line naming the app and the key for anything it cannot use.
 *
 * @example
 * translateEcosystem({ apps: [{ script: 'server.js', instances: 2 }] }, context).apps[0].request.instances; // 2
 */
export function translateEcosystem(exported: unknown, context: EcosystemContext): EcosystemPlan {
  const warnings: string[] = [];
  const apps = appsOf(exported, warnings);
  if (apps.length === 0) invalid('the file lists no apps');
  if (apps.length > MAX_APPS) invalid(`the file lists ${apps.length} apps (at most ${MAX_APPS})`);
  const planned = apps.flatMap((app, index) => translateApp(app, index, context, warnings));
  const seen = new Set<string>();
  for (const { name } of planned) {
    if (seen.has(name)) invalid(`two apps are called "${name}"`);
    seen.add(name);
  }
  return { apps: planned, warnings };
}

/** An app's keys with pm2's aliases replaced by their main names. */
function canonical(app: Record<string, unknown>): Record<string, unknown> {
  const keys: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(app)) {
    const main = PM2_ALIASES[key] ?? key;
    if (!(main in keys) || key === main) keys[main] = value;
  }
  return keys;
}

function translateApp(
  raw: unknown,
  index: number,
  context: EcosystemContext,
  warnings: string[],
): PlannedApp[] {
  if (!isObject(raw)) invalid(`apps[${index}] is not an object`);
  const app = canonical(raw);
  const script = app.script;
  if (typeof script !== 'string' || script === '')
    invalid(`apps[${index}] has no "script" (the file or command to run)`);
  const name = app.name === undefined ? basename(script, extname(script)) : (app.name as string);
  const label = typeof name === 'string' && name !== '' ? name : `apps[${index}]`;
  const warn = (message: string) => warnings.push(`${label}: ${message}`);
  const fail = (message: string, cause?: unknown): never => invalid(`${label}: ${message}`, cause);

  for (const key of Object.keys(app)) {
    if (PM2_MAPPED.has(key) || key.startsWith('env_')) continue;
    warn(`${key} is not supported by guv (ignored)`);
  }

  try {
    return planApp(app, script, name, label, context, warn, fail);
  } catch (error) {
    if (error instanceof GuvError && error.code !== 'GUV_APPS_FILE_INVALID')
      fail(error.message, error);
    throw error;
  }
}

function planApp(
  app: Record<string, unknown>,
  script: string,
  name: unknown,
  label: string,
  context: EcosystemContext,
  warn: (message: string) => void,
  fail: Fail,
): PlannedApp[] {
  const cwd = resolve(context.baseDir, stringOr(app.cwd, '.', 'cwd', fail));
  const interpreter = interpreterOf(app.interpreter, warn, fail);
  // No interpreter: guv chooses by extension, as pm2 does; a .js file runs under node.
  const runsNode = interpreter === 'node' || (interpreter === null && /\.[cm]?js$/.test(script));
  const { envKeys, env } = environmentOf(app, context, warn, fail);
  const { cluster, count } = modeOf(app, runsNode, context.cpuCount, fail);

  const params = {
    // A bare word (`npm`) is a command; anything else is a file beside the app's cwd.
    target: /[/.]/.test(script) ? resolve(cwd, script) : script,
    name,
    args: words(app.args, 'args', fail),
    execArgv: words(app.node_args, 'node_args', fail),
    interpreter: interpreter ?? undefined,
    cwd,
    env,
    user: accountOf(app.uid),
    group: accountOf(app.gid),
    instances: cluster ? count : undefined,
    restart: restartOf(app.autorestart, fail),
    killTimeoutMs: app.kill_timeout,
    listenTimeoutMs: app.listen_timeout,
    appReadiness: app.wait_ready,
    policy: policyOf(app),
    ...restartDelaysOf(app, warn),
    watch: app.watch,
    ignoreWatch: typeof app.ignore_watch === 'string' ? [app.ignore_watch] : app.ignore_watch,
    watchDelayMs: app.watch_delay,
    maxMemoryBytes: app.max_memory_restart,
    cronRestart: app.cron_restart,
    // pm2 prefixes no time unless `time: true`; guv prefixes unless `time: false`.
    logTime: app.time === false && (app.out_file || app.error_file) ? false : undefined,
    outFile: app.out_file,
    errorFile: app.error_file,
  };
  // pm2 runs a forked app's instances under one name; guv's names are unique, so numbered.
  const forks = cluster ? 1 : count === 'max' ? context.cpuCount : count;
  if (forks > 1)
    warn(
      `exec_mode fork with ${forks} instances: guv starts ${forks} processes, ${label}-0 to ${label}-${forks - 1}`,
    );
  const copies = forks > 1 ? Array.from({ length: forks }, (_, i) => `${label}-${i}`) : [name];
  return copies.map((copy) => {
    const request = parseStartOptions({ ...params, name: copy }, PM2_FIELD_NAMES);
    return { name: request.name ?? label, request, envKeys };
  });
}

type Fail = (message: string, cause?: unknown) => never;

function stringOr(value: unknown, fallback: string, key: string, fail: Fail): string {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string' || value === '') fail(`${key} must be a non-empty string`);
  return value;
}

/** pm2 takes `args` and `node_args` as a list or as one string of words. */
function words(value: unknown, key: string, fail: Fail): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return splitArgv(value);
  if (Array.isArray(value))
    return value.map((item) => (typeof item === 'number' ? String(item) : item));
  fail(`${key} must be a string or a list of strings`);
}

function interpreterOf(value: unknown, warn: (message: string) => void, fail: Fail): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value === '') fail('interpreter must be a non-empty string');
  if (value === 'node' || value === 'none') return value;
  if (/(^|\/)node$/.test(value)) {
    warn(`interpreter ${value}: guv runs Node.js apps with the node it runs on`);
    return 'node';
  }
  // Any other interpreter goes to the start parser, which says whether guv runs it.
  return value;
}

function environmentOf(
  app: Record<string, unknown>,
  context: EcosystemContext,
  warn: (message: string) => void,
  fail: Fail,
): { env: Record<string, string>; envKeys: string[] } {
  const own: Record<string, string> = { ...variables(app.env, 'env', fail) };
  if (context.envName !== null) {
    const key = `env_${context.envName}`;
    if (app[key] === undefined) warn(`has no ${key}: only its env applies`);
    Object.assign(own, variables(app[key], key, fail));
  }
  Object.assign(own, context.overrides);
  const envKeys = Object.keys(own);
  if (envKeys.length > MAX_ENV_KEYS)
    fail(`sets ${envKeys.length} variables (at most ${MAX_ENV_KEYS})`);
  return { env: { ...context.baseEnv, ...own }, envKeys };
}

/** pm2 writes numbers and booleans as text, and objects as JSON. */
function variables(value: unknown, key: string, fail: Fail): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) fail(`${key} must be an object of variables`);
  const env: Record<string, string> = {};
  for (const [name, item] of Object.entries(value)) {
    if (item === undefined || item === null) continue;
    env[name] = typeof item === 'object' ? JSON.stringify(item) : String(item);
  }
  return env;
}

/**
 * pm2's defaults: a Node.js app given `instances` runs as a cluster unless `exec_mode` says
 * fork; `max` and 0 mean one per CPU, a negative count that many fewer.
 */
function modeOf(
  app: Record<string, unknown>,
  runsNode: boolean,
  cpuCount: number,
  fail: Fail,
): { cluster: boolean; count: number | 'max' } {
  const mode = app.exec_mode;
  if (
    mode !== undefined &&
    !['fork', 'fork_mode', 'cluster', 'cluster_mode'].includes(mode as string)
  )
    fail(`exec_mode must be "fork" or "cluster", got ${JSON.stringify(mode)}`);
  const given = app.instances;
  let count: number | 'max' = 1;
  if (given === 0 || given === '0') count = 'max';
  else if (typeof given === 'number' && Number.isInteger(given) && given < 0)
    count = Math.max(1, cpuCount + given);
  else count = parseInstances(given, 'instances') ?? 1;
  const cluster =
    mode === undefined
      ? given !== undefined && given !== null && runsNode
      : (mode as string).startsWith('cluster');
  if (cluster && !runsNode) fail('exec_mode cluster needs a Node.js app (no other interpreter)');
  return { cluster, count };
}

function accountOf(value: unknown): unknown {
  return typeof value === 'number' ? String(value) : value;
}

function restartOf(value: unknown, fail: Fail): 'never' | undefined {
  if (value === undefined || value === null || value === true) return undefined;
  if (value === false) return 'never';
  fail(`autorestart must be true or false, got ${JSON.stringify(value)}`);
}

/** pm2's restart numbers in guv's policy. */
function policyOf(app: Record<string, unknown>): Record<string, unknown> {
  return { maxFailures: app.max_restarts, stableMs: app.min_uptime };
}

/** restart_delay and exp_backoff_restart_delay, as pm2 means them; with both, pm2 uses the latter. */
function restartDelaysOf(app: Record<string, unknown>, warn: (message: string) => void) {
  if (app.exp_backoff_restart_delay !== undefined && app.restart_delay !== undefined) {
    warn('restart_delay is ignored: exp_backoff_restart_delay applies (as with pm2)');
    return { expBackoffRestartDelayMs: app.exp_backoff_restart_delay };
  }
  return {
    restartDelayMs: app.restart_delay,
    expBackoffRestartDelayMs: app.exp_backoff_restart_delay,
  };
}

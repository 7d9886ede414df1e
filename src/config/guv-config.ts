import { basename, resolve } from 'node:path';
import { START_FLAGS } from '../protocol/start-flags.js';
import { GuvError } from '../errors.js';
import { parseStartOptions, type StartOptions } from '../protocol/start-options.js';
import type { EcosystemContext, EcosystemPlan, PlannedApp } from './ecosystem.js';

// guv's own apps file (guv.config.js / .json): the client's StartOptions names, plus `script`,
// `env_file` and `dependsOn`. Pure: the loader reads env files and passes their text.

/** One app of a guv config: `startProcess`'s options, in its names. */
export interface GuvAppConfig extends StartOptions {
  name: string;
  /** The file or command to run, relative to the config's folder. */
  script: string;
  /** A dotenv file (`KEY=value` lines), relative to the config's folder; `env` wins over it. */
  env_file?: string;
  /** Apps (by name) that must be running before this one starts. */
  dependsOn?: string[];
  /** `env_production` and so on: merged over `env` by `guv start <file> --env production`. */
  [envName: `env_${string}`]: Record<string, string> | string | undefined;
}

export interface GuvConfig {
  apps: GuvAppConfig[];
}

/**
 * Types a guv config: `export default defineConfig({ apps: [...] })` in `guv.config.js`.
 *
 * @example
 * export default defineConfig({ apps: [{ name: 'web', script: 'server.js', instances: 2 }] });
 */
export function defineConfig(config: GuvConfig): GuvConfig {
  return config;
}

/** Whether a path is guv's own config rather than a pm2 ecosystem file. */
export function isGuvConfigName(path: string): boolean {
  return /^guv\.config\.(?:[cm]?js|[cm]?ts|json|ya?ml)$/i.test(basename(path));
}

const OWN_KEYS = new Set(['name', 'script', 'env_file', 'dependsOn']);
/** The API's start options (the fields `guv start`'s flags set), less what a file names itself. */
const OPTION_KEYS = new Set([
  ...Object.keys(START_FLAGS)
    .map((field) => field.split('.')[0]!)
    .filter((field) => field !== 'name' && field !== 'updateEnv'),
]);

function invalid(message: string, cause?: unknown): never {
  throw new GuvError('GUV_APPS_FILE_INVALID', message, cause === undefined ? {} : { cause });
}

/** `env_production`, `env_staging`…: one environment each, chosen with `--env <name>`. */
const ENV_NAME = /^env_[\w-]{1,64}$/;

/** The `env_<name>` that `--env <name>` selects, or nothing (with a warning when the app has none). */
function selectedEnv(
  options: Record<string, unknown>,
  envName: string | null,
  label: string,
  warnings: string[],
): Record<string, string> {
  if (envName === null) return {};
  const key = `env_${envName}`;
  const selected = options[key];
  if (selected === undefined) {
    warnings.push(`${label}: has no ${key}: only its env applies`);
    return {};
  }
  if (typeof selected !== 'object' || selected === null || Array.isArray(selected))
    invalid(`${label}: ${key} must be an object of variables`);
  return selected as Record<string, string>;
}

function withoutEnvNames(options: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([key]) => !ENV_NAME.test(key)));
}

/** `KEY=value` lines of a dotenv file; `#` comments, `export ` and one pair of quotes allowed. */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][\w.]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match || line.trimStart().startsWith('#')) continue;
    const raw = match[2] ?? '';
    const quoted = /^(["'])(.*)\1$/.exec(raw);
    env[match[1]!] = quoted ? (quoted[2] ?? '') : raw.replace(/\s+#.*$/, '');
  }
  return env;
}

/**
 * Translates guv's own config into start requests, ordered so that each app comes after the
 * apps it depends on. `envFiles` holds the text of each `env_file` by its resolved path.
 */
export function translateGuvConfig(
  exported: unknown,
  context: EcosystemContext,
  envFiles: ReadonlyMap<string, string> = new Map(),
): EcosystemPlan {
  const apps = (exported as { apps?: unknown })?.apps;
  if (!Array.isArray(apps) || apps.length === 0) invalid('the file exports no "apps" list');
  const warnings: string[] = [];
  const planned = new Map<string, { app: PlannedApp; dependsOn: string[] }>();
  apps.forEach((app: unknown, index) => {
    if (typeof app !== 'object' || app === null || Array.isArray(app))
      invalid(`apps[${index}] is not an object`);
    const { name, script, env_file, dependsOn, ...options } = app as Record<string, unknown>;
    const label = typeof name === 'string' ? name : `apps[${index}]`;
    for (const key of Object.keys(app))
      if (!OWN_KEYS.has(key) && !OPTION_KEYS.has(key) && !ENV_NAME.test(key))
        invalid(`${label}: unknown setting "${key}"`);
    if (typeof script !== 'string' || script === '') invalid(`${label} has no "script"`);
    if (
      dependsOn !== undefined &&
      (!Array.isArray(dependsOn) || dependsOn.some((d) => typeof d !== 'string'))
    )
      invalid(`${label}: dependsOn must be a list of app names`);
    const cwd = resolve(context.baseDir, typeof options.cwd === 'string' ? options.cwd : '.');
    let fileEnv: Record<string, string> = {};
    if (env_file !== undefined) {
      if (typeof env_file !== 'string') invalid(`${label}: env_file must be a path`);
      const text = envFiles.get(resolve(context.baseDir, env_file));
      if (text === undefined) invalid(`${label}: cannot read env_file ${env_file}`);
      fileEnv = parseEnvFile(text);
    }
    const own = {
      ...fileEnv,
      ...(options.env as Record<string, string> | undefined),
      ...selectedEnv(options, context.envName, label, warnings),
      ...context.overrides,
    };
    let request: PlannedApp['request'];
    try {
      request = parseStartOptions({
        ...withoutEnvNames(options),
        name,
        cwd,
        target: /[/.]/.test(script) ? resolve(cwd, script) : script,
        env: { ...context.baseEnv, ...own },
      });
    } catch (error) {
      invalid(`${label}: ${error instanceof Error ? error.message : String(error)}`, error);
    }
    const key = request.name ?? label;
    if (planned.has(key)) invalid(`two apps are called "${key}"`);
    const after = (dependsOn as string[] | undefined) ?? [];
    planned.set(key, {
      app: { name: key, request, envKeys: Object.keys(own), after },
      dependsOn: after,
    });
  });
  return { apps: startOrder(planned), warnings };
}

/** The apps with every dependency first; a missing name or a cycle is refused in one line. */
function startOrder(planned: Map<string, { app: PlannedApp; dependsOn: string[] }>): PlannedApp[] {
  const order: PlannedApp[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting')
      invalid(`dependsOn makes a cycle: ${[...path.slice(path.indexOf(name)), name].join(' → ')}`);
    const entry = planned.get(name);
    if (!entry) invalid(`${path.at(-1)}: dependsOn names "${name}", which the file does not list`);
    state.set(name, 'visiting');
    for (const dependency of entry.dependsOn) visit(dependency, [...path, name]);
    state.set(name, 'done');
    order.push(entry.app);
  };
  for (const name of planned.keys()) visit(name, []);
  return order;
}

/** The apps in waves: each wave's dependencies are all in earlier waves (the order is a topological one). */
export function startWaves(apps: PlannedApp[]): PlannedApp[][] {
  const waves: PlannedApp[][] = [];
  const wave = new Map<string, number>();
  for (const app of apps) {
    const level = Math.max(-1, ...(app.after ?? []).map((name) => wave.get(name) ?? -1)) + 1;
    wave.set(app.name, level);
    const members = waves[level] ?? [];
    members.push(app);
    waves[level] = members;
  }
  return waves;
}

/**
 * The order to stop (or remove) apps in: the start order's waves backwards, so each app stops
 * before the apps it depends on.
 *
 * @example
 * stopOrder(translateGuvConfig(config, context).apps).map((app) => app.name); // ['web', 'api', 'db']
 */
export function stopOrder(apps: PlannedApp[]): PlannedApp[] {
  return startWaves(apps).reverse().flat();
}

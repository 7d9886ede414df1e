import { availableParallelism } from 'node:os';
import { relative, resolve } from 'node:path';
import { type EcosystemPlan, translateEcosystem } from '../config/ecosystem.js';
import { isGuvConfigName, translateGuvConfig } from '../config/guv-config.js';
import { isAppsFile, loadAppsFile, readEnvFiles } from '../config/load.js';
import { GuvError } from '../errors.js';
import type { CliIO } from './command.js';
import { printable } from './errors.js';
import { markForeignCode } from './exit-when-done.js';
import { parseEnvPairs } from './parse-options.js';

/** `--env` values for an apps file: `production` selects `env_production`, `K=V` sets a variable. */
export interface AppsFileEnv {
  envName: string | null;
  overrides: Record<string, string>;
}

/** Splits `--env` values into the one environment name and the `K=V` pairs. */
export function appsFileEnv(values: string[] = []): AppsFileEnv {
  const names = values.filter((value) => !value.includes('='));
  if (names.length > 1)
    throw new GuvError(
      'GUV_BAD_ARGUMENT',
      `--env selects one environment of the file, got ${names.join(', ')}`,
    );
  const name = names[0] ?? null;
  if (name !== null && !/^[\w-]{1,64}$/.test(name))
    throw new GuvError(
      'GUV_BAD_ARGUMENT',
      `--env needs NAME=value or an environment name, got "${name}"`,
    );
  return {
    envName: name,
    overrides: parseEnvPairs(values.filter((value) => value.includes('='))),
  };
}

/** The absolute path of `target` when it is an apps file (relative to the CLI's folder), else null. */
export async function appsFileOf(target: string): Promise<string | null> {
  return (await isAppsFile(target, process.cwd())) ? resolve(target) : null;
}

/** Loads and translates an apps file: what guv will start, with warnings. */
export async function planAppsFile(
  path: string,
  env: AppsFileEnv,
  io: CliIO,
): Promise<EcosystemPlan> {
  if (!/\.(?:json|ya?ml)$/i.test(path)) markForeignCode();
  const exported = await loadAppsFile(path);
  const baseEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(io.env)) if (value !== undefined) baseEnv[key] = value;
  const context = {
    baseDir: resolve(path, '..'),
    envName: env.envName,
    overrides: env.overrides,
    baseEnv,
    cpuCount: availableParallelism(),
  };
  try {
    if (!isGuvConfigName(path)) return translateEcosystem(exported, context);
    return translateGuvConfig(exported, context, await readEnvFiles(exported, context.baseDir));
  } catch (error) {
    if (!(error instanceof GuvError)) throw error;
    throw new GuvError(error.code, `${relative(process.cwd(), path) || path}: ${error.message}`, {
      cause: error,
    });
  }
}

/** Writes each warning on stderr as `guv: warning: …`. */
export function printWarnings(plan: EcosystemPlan, io: CliIO): void {
  for (const warning of plan.warnings) io.stderr.write(`guv: warning: ${printable(warning)}\n`);
}

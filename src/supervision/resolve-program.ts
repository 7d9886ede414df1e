import { existsSync, statSync } from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';
import { GuvError } from '../errors.js';
import { isCommandName, type StartRequest } from '../protocol/start-options.js';
import { checkExecutable, findOnPath, type PathTrust } from './command-path.js';
import { chooseInterpreter } from './interpreter-choice.js';
import { type LoaderName, typescriptLoader } from './typescript-loader.js';

/** What a start request runs, with every file found: the spec's script and interpreter. */
export interface ResolvedProgram {
  /** Absolute path of the script or executable. */
  script: string;
  /** 'node', 'none', or the absolute path of another interpreter. */
  interpreter: string;
  /** Node flags a TypeScript script needs before the user's own (`--import …/tsx/…`). */
  loaderArgs: string[];
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** A file in `cwd` first (as pm2 does), else a bare command name from the caller's PATH. */
function resolveScript(target: string, cwd: string, path: string | undefined, trust: PathTrust) {
  if (isAbsolute(target)) return target;
  const here = resolve(cwd, target);
  if (isFile(here) || !isCommandName(target)) return here;
  return findOnPath(target, path, trust);
}

function runnerName(interpreter: string | null): LoaderName | null {
  const name = interpreter === null ? null : basename(interpreter);
  return name === 'tsx' || name === 'ts-node' ? name : null;
}

function runnerOnPath(interpreter: string, path: string | undefined, trust: PathTrust) {
  if (isAbsolute(interpreter)) return interpreter;
  try {
    return findOnPath(interpreter, path, trust);
  } catch {
    return null;
  }
}

/**
 * Finds the files a validated start request names, with the caller's PATH (`request.env.PATH`,
 * the environment the child gets too). Throws GUV_SCRIPT_NOT_FOUND, GUV_COMMAND_NOT_FOUND or
 * GUV_NO_TS_LOADER.
 *
 * @example
 * resolveProgram(request, '/srv/api', { owners: [0] });
 * // { script: '/usr/bin/npm', interpreter: 'none', loaderArgs: [] }
 */
export function resolveProgram(
  request: StartRequest,
  cwd: string,
  trust: PathTrust,
): ResolvedProgram {
  const path = request.env.PATH;
  const script = resolveScript(request.target, cwd, path, trust);
  // Otherwise a typo becomes a process that crash-loops until it aborts.
  if (!existsSync(script)) throw new GuvError('GUV_SCRIPT_NOT_FOUND', `no such file: ${script}`);
  const choice = chooseInterpreter(request.interpreter, script);
  if (choice.kind === 'none') return { script, interpreter: 'none', loaderArgs: [] };
  if (choice.kind === 'command') {
    const interpreter = isAbsolute(choice.command)
      ? checkExecutable(choice.command)
      : findOnPath(choice.command, path, trust, `--interpreter "${choice.command}" is not`);
    return { script, interpreter, loaderArgs: [] };
  }
  if (!choice.typescript) return { script, interpreter: 'node', loaderArgs: [] };
  const preferred = runnerName(request.interpreter);
  const onPath =
    preferred && request.interpreter ? runnerOnPath(request.interpreter, path, trust) : null;
  return {
    script,
    interpreter: 'node',
    loaderArgs: typescriptLoader(script, { preferred, onPath, trust }),
  };
}

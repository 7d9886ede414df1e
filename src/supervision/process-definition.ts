import { basename, extname, isAbsolute, resolve } from 'node:path';
import type { ProcessDefinition } from '../protocol/replies.js';
import { DEFAULT_WATCH_DELAY_MS } from '../machines/process/triggers.js';
import { restartDelayPolicy } from '../machines/restart-delays.js';
import type { ResolvedProgram } from './resolve-program.js';
import { parseProcessName, type StartRequest } from './start-request.js';

export type { ProcessDefinition };

const NODE_SCRIPT = /\.(c|m)?js$/;

/** A default name from the script: `/srv/api/server.js` → `server`. */
export function defaultName(script: string): string {
  const stem = basename(script, extname(script))
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/^[.-]+/, '');
  const name = stem.length > 0 ? stem.slice(0, 64) : 'process';
  return /^\d+$/.test(name) ? `p${name}`.slice(0, 64) : name;
}

/** A name not yet taken: `web`, then `web-1`, `web-2`… */
export function uniqueName(wanted: string, taken: (name: string) => boolean): string {
  if (!taken(wanted)) return wanted;
  for (let n = 1; ; n++) {
    const candidate = `${wanted.slice(0, 60)}-${n}`;
    if (!taken(candidate)) return candidate;
  }
}

/**
 * Builds a definition from a validated start request and the program it names, once found
 * (`resolveProgram`); without one, the target is a path and the interpreter goes by extension.
 */
export function definitionFromRequest(
  request: StartRequest,
  id: string,
  name: string,
  cpuCount: number,
  program?: ResolvedProgram,
): ProcessDefinition {
  const cwd = request.cwd ?? process.cwd();
  const script =
    program?.script ?? (isAbsolute(request.target) ? request.target : resolve(cwd, request.target));
  const interpreter =
    program?.interpreter ?? request.interpreter ?? (NODE_SCRIPT.test(script) ? 'node' : 'none');
  const ownArgv = [...(program?.loaderArgs ?? []), ...request.execArgv];
  const execArgv = request.debug ? ['--inspect-brk=0', ...ownArgv] : ownArgv;
  const instances = request.instances === 'max' ? cpuCount : request.instances;
  return {
    id,
    name: parseProcessName(name),
    spec: {
      script,
      args: request.args,
      execArgv,
      interpreter,
      cwd,
      env: request.env,
      user: request.user,
      group: request.group,
      appReadiness: request.appReadiness,
    },
    instances,
    policy: {
      ...request.policy,
      ...restartDelayPolicy(request),
      ...(request.restart ? { mode: request.restart } : {}),
    },
    timeouts: {
      ...(request.killTimeoutMs !== null ? { killMs: request.killTimeoutMs } : {}),
      ...(request.startTimeoutMs !== null ? { startMs: request.startTimeoutMs } : {}),
      ...(request.listenTimeoutMs !== null ? { listenMs: request.listenTimeoutMs } : {}),
    },
    app: null,
    triggers: {
      watch:
        request.watch === null
          ? null
          : {
              paths: (request.watch.length > 0 ? request.watch : [cwd]).map((path) =>
                resolve(cwd, path),
              ),
              ignore: request.ignoreWatch,
              delayMs: request.watchDelayMs ?? DEFAULT_WATCH_DELAY_MS,
            },
      maxMemoryBytes: request.maxMemoryBytes,
      cronRestart: request.cronRestart,
    },
    logs: {
      time: request.logTime ?? true,
      outFile: request.outFile === null ? null : resolve(cwd, request.outFile),
      errorFile: request.errorFile === null ? null : resolve(cwd, request.errorFile),
    },
  };
}

export { restartDelayPolicy };

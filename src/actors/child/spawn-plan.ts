import type { SpawnOptions } from 'node:child_process';
import type { ProcessSpec } from '../../machines/process/child-protocol.js';
import { WRAPPER_ENV } from '../wrapper/protocol.js';
import { commandAsUser, userEnv } from './as-user.js';
import type { Identity } from './identity.js';

/** Everything `child_process.spawn` needs, worked out without touching the system. */
export interface SpawnPlan {
  command: string;
  args: string[];
  options: SpawnOptions;
  /** True when the child runs guv's wrapper and talks over IPC. */
  wrapped: boolean;
}

export interface SpawnContext {
  id: string;
  identity: Identity | null;
  preloadPath: string;
  nodePath: string;
  /** Absolute path of `setpriv`, which starts the child already as its user. */
  setprivPath: string | null;
  heartbeatMs: number;
  orphanKillMs: number;
}

/** A script Node runs with the wrapper (whatever its extension: a loader may be in execArgv). */
export function runsWithNode(spec: ProcessSpec): boolean {
  return spec.interpreter === 'node';
}

/** The program and its arguments: node with the wrapper, another interpreter, or the file itself. */
function commandLine(spec: ProcessSpec, context: SpawnContext): [string, string[]] {
  if (runsWithNode(spec)) {
    const args = [...spec.execArgv, '--require', context.preloadPath, spec.script, ...spec.args];
    return [context.nodePath, args];
  }
  if (spec.interpreter === 'none') return [spec.script, spec.args];
  return [spec.interpreter, [...spec.execArgv, spec.script, ...spec.args]];
}

/**
 * The child's environment is `spec.env` only (never the daemon's), plus HOME/USER/LOGNAME of the
 * user it runs as and, for wrapped children, the wrapper's settings. A child with a user is
 * that user from its first instruction on (see `commandAsUser`).
 */
export function planSpawn(spec: ProcessSpec, context: SpawnContext): SpawnPlan {
  const { identity } = context;
  const env: Record<string, string> = { ...spec.env, ...userEnv(identity) };
  const wrapped = runsWithNode(spec);
  if (wrapped) {
    env[WRAPPER_ENV.id] = context.id;
    env[WRAPPER_ENV.heartbeatMs] = String(context.heartbeatMs);
    env[WRAPPER_ENV.orphanKillMs] = String(context.orphanKillMs);
    if (spec.appReadiness) env[WRAPPER_ENV.appReadiness] = '1';
  }
  const [program, programArgs] = commandLine(spec, context);
  const { command, args, uid, gid } = commandAsUser(
    identity,
    context.setprivPath,
    program,
    programArgs,
  );
  const options: SpawnOptions = {
    cwd: spec.cwd,
    env,
    detached: true,
    stdio: wrapped ? ['pipe', 'pipe', 'pipe', 'ipc'] : ['pipe', 'pipe', 'pipe'],
    ...(uid === undefined ? {} : { uid }),
    ...(gid === undefined ? {} : { gid }),
  };
  return { command, args, options, wrapped };
}

import type { SpawnOptions } from 'node:child_process';
import type { ProcessSpec } from '../../machines/process/child-protocol.js';
import { WRAPPER_ENV } from '../wrapper/protocol.js';
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
  /** Absolute path of `setpriv`, used to drop privileges for non-node executables. */
  setprivPath: string | null;
  heartbeatMs: number;
  orphanKillMs: number;
}

/** A script Node runs with the wrapper; anything else is executed directly. */
export function runsWithNode(spec: ProcessSpec): boolean {
  return spec.interpreter === 'node' && /\.(?:c|m)?js$/.test(spec.script);
}

/**
 * The child's environment is `spec.env` only (never the daemon's), plus HOME/USER/LOGNAME of the
 * user it runs as and, for wrapped children, the wrapper's settings.
 */
export function planSpawn(spec: ProcessSpec, context: SpawnContext): SpawnPlan {
  const { identity } = context;
  const env: Record<string, string> = { ...spec.env };
  if (identity?.user) {
    env.USER = identity.user;
    env.LOGNAME = identity.user;
    if (identity.home !== null) env.HOME = identity.home;
  }
  const base: SpawnOptions = { cwd: spec.cwd, env, detached: true };

  if (runsWithNode(spec)) {
    env[WRAPPER_ENV.id] = context.id;
    env[WRAPPER_ENV.heartbeatMs] = String(context.heartbeatMs);
    env[WRAPPER_ENV.orphanKillMs] = String(context.orphanKillMs);
    if (spec.appReadiness) env[WRAPPER_ENV.appReadiness] = '1';
    // The wrapper drops privileges itself (with initgroups) before the user's script runs.
    if (identity) env[WRAPPER_ENV.dropPrivileges] = JSON.stringify(identity);
    return {
      command: context.nodePath,
      args: [...spec.execArgv, '--require', context.preloadPath, spec.script, ...spec.args],
      options: { ...base, stdio: ['pipe', 'pipe', 'pipe', 'ipc'] },
      wrapped: true,
    };
  }

  const options: SpawnOptions = { ...base, stdio: ['pipe', 'pipe', 'pipe'] };
  if (identity && context.setprivPath) {
    const ids =
      identity.uid === null
        ? ['--regid', String(identity.gid), '--clear-groups']
        : ['--reuid', String(identity.uid), '--regid', String(identity.gid), '--init-groups'];
    return {
      command: context.setprivPath,
      args: [...ids, '--', spec.script, ...spec.args],
      options,
      wrapped: false,
    };
  }
  if (identity) {
    options.gid = identity.gid;
    if (identity.uid !== null) options.uid = identity.uid;
  }
  return { command: spec.script, args: spec.args, options, wrapped: false };
}

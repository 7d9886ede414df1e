import { type ChildProcess, spawn } from 'node:child_process';
import type { ProcessSpec } from '../../machines/process/child-protocol.js';
import { DEFAULT_HEARTBEAT_MS, DEFAULT_ORPHAN_KILL_MS } from '../wrapper/protocol.js';
import { findSetpriv } from './find-setpriv.js';
import { type ResolveIdentityOptions, resolveIdentity } from './identity.js';
import { resolvePreloadPath } from './preload-path.js';
import { type SpawnPlan, planSpawn } from './spawn-plan.js';

export interface SpawnChildOptions extends ResolveIdentityOptions {
  /** The compiled wrapper; defaults to `resolvePreloadPath()`. */
  preloadPath?: string;
  heartbeatMs?: number;
  /** How long a child whose supervisor vanished has between SIGTERM and SIGKILL. */
  orphanKillMs?: number;
}

export interface SpawnedChild {
  child: ChildProcess;
  /** True when the child runs guv's wrapper and has an IPC channel. */
  wrapped: boolean;
}

/**
 * Starts `spec` in its own process group with piped stdio (and IPC plus guv's wrapper for node
 * scripts). Rejects with a GuvError for a bad `--user`/`--group`; an executable that cannot be
 * started shows up as the child's 'error' event, as with `child_process.spawn`.
 *
 * @example
 * const { child, wrapped } = await spawnChild('web', spec);
 * child.stdout?.on('data', (chunk) => sink('stdout', chunk));
 */
export async function spawnChild(
  id: string,
  spec: ProcessSpec,
  options: SpawnChildOptions = {},
): Promise<SpawnedChild> {
  const plan = await planChildSpawn(id, spec, options);
  return { child: spawn(plan.command, plan.args, plan.options), wrapped: plan.wrapped };
}

/** The spawn `spawnChild` would do, for the keeper to carry out (src/keeper). */
export async function planChildSpawn(
  id: string,
  spec: ProcessSpec,
  options: SpawnChildOptions = {},
): Promise<SpawnPlan> {
  const identity = await resolveIdentity(spec.user, spec.group, options);
  return planSpawn(spec, {
    id,
    identity,
    preloadPath: options.preloadPath ?? resolvePreloadPath(),
    nodePath: process.execPath,
    setprivPath: identity ? findSetpriv() : null,
    heartbeatMs: options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
    orphanKillMs: options.orphanKillMs ?? DEFAULT_ORPHAN_KILL_MS,
  });
}

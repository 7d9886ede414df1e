import { commandAsUser, userEnv } from '../actors/child/as-user.js';
import { findSetpriv } from '../actors/child/find-setpriv.js';
import { resolveIdentity } from '../actors/child/identity.js';
import { resolvePreloadPath } from '../actors/child/preload-path.js';
import { DEFAULT_ORPHAN_KILL_MS } from '../actors/wrapper/protocol.js';
import type { ManagerInput } from '../machines/cluster/cluster-types.js';
import type { ManagerActorDeps } from './manager-actor.js';
import { resolveManagerPath } from './manager-path.js';
import type { ManagerSetup } from './protocol.js';

/** How a cluster's manager is started, whether the daemon or the keeper starts it. */
export interface ManagerPlan {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  uid: number | undefined;
  gid: number | undefined;
  /** The first message the manager is sent: what its workers run. */
  setup: ManagerSetup;
}

/**
 * Decides how to start manager.cjs for `spec`: as the app's user already when node starts
 * (NODE_OPTIONS preloads included), so the workers it forks inherit that.
 */
export async function planManager(
  spec: ManagerInput['spec'],
  deps: Pick<ManagerActorDeps, 'managerPath' | 'preloadPath' | 'orphanKillMs'> &
    Parameters<typeof resolveIdentity>[2],
): Promise<ManagerPlan> {
  const identity = await resolveIdentity(spec.user, spec.group, deps);
  const setup: ManagerSetup = {
    type: 'setup',
    exec: spec.script,
    args: spec.args,
    execArgv: [...spec.execArgv, '--require', deps.preloadPath ?? resolvePreloadPath()],
    orphanKillMs: deps.orphanKillMs ?? DEFAULT_ORPHAN_KILL_MS,
  };
  const { command, args, uid, gid } = commandAsUser(
    identity,
    identity ? findSetpriv() : null,
    process.execPath,
    [deps.managerPath ?? resolveManagerPath()],
  );
  return { command, args, uid, gid, env: { ...spec.env, ...userEnv(identity) }, setup };
}

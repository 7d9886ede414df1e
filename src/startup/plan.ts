import { isAbsolute, join, resolve } from 'node:path';
import { GuvError } from '../errors.js';
import type { GuvHome } from '../protocol/home.js';
import type { UnitPlan } from './unit.js';

export const UNIT_NAME = 'guv.service';

export interface StartupInput {
  uid: number;
  userName: string;
  /** The environment `guv startup` runs in: its PATH, GUV_HOME and XDG folders are kept. */
  env: NodeJS.ProcessEnv;
  /** The node binary and the daemon's entry (dist/daemon/start.cjs). */
  execPath: string;
  daemonEntry: string;
  home: GuvHome;
  /** guv.json `requestTimeoutMs`: the daemon's stop waits up to twice this. */
  requestTimeoutMs: number;
}

export interface StartupPlan extends UnitPlan {
  /** Where the unit goes, as an absolute path on the target system. */
  unitPath: string;
}

// A user's daemon finds its home through these; a boot start must see the same ones.
const XDG_HOME_VARIABLES = ['XDG_CONFIG_HOME', 'XDG_STATE_HOME', 'XDG_DATA_HOME'] as const;

/**
 * What `guv startup` installs for this user: root gets a system unit, anybody else a user unit
 * (run at boot only with lingering). Pure: everything comes from `input`.
 */
export function planStartup(input: StartupInput): StartupPlan {
  for (const [what, path] of [
    ['node', input.execPath],
    ['the daemon entry', input.daemonEntry],
  ] as const)
    if (!isAbsolute(path))
      throw new GuvError('GUV_BAD_ARGUMENT', `${what} must be an absolute path, got ${path}`);
  const scope = input.uid === 0 ? 'system' : 'user';
  const env: Record<string, string> = {};
  if (input.env.PATH) env.PATH = input.env.PATH;
  if (input.env.GUV_HOME) env.GUV_HOME = resolve(input.env.GUV_HOME);
  if (scope === 'user')
    for (const name of XDG_HOME_VARIABLES) {
      const value = input.env[name];
      if (value?.startsWith('/')) env[name] = value;
    }
  const configHome = input.env.XDG_CONFIG_HOME?.startsWith('/')
    ? input.env.XDG_CONFIG_HOME
    : join(input.env.HOME || '/', '.config');
  return {
    scope,
    unitName: UNIT_NAME,
    unitPath:
      scope === 'system'
        ? join('/etc/systemd/system', UNIT_NAME)
        : join(configHome, 'systemd/user', UNIT_NAME),
    user: { name: input.userName, uid: input.uid },
    home: { config: input.home.config, state: input.home.state, logs: input.home.logs },
    execStart: [input.execPath, input.daemonEntry],
    env,
    stopTimeoutSec: Math.ceil((input.requestTimeoutMs * 2) / 1000) + 30,
  };
}

/** What a user unit needs to run at boot, said after printing or installing one. */
export function lingerNote(plan: StartupPlan): string | null {
  if (plan.scope === 'system') return null;
  return `a user unit runs at boot only with lingering: sudo loginctl enable-linger ${plan.user.name}`;
}

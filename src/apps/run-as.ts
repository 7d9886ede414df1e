import { dirname } from 'node:path';
import { lookupEntry } from '../accounts/lookup.js';
import { accountId } from '../accounts/names.js';
import type { RunAs } from '../actors/git/run-as.js';
import { GuvError } from '../errors.js';

export type { RunAs } from '../actors/git/run-as.js';

/**
 * Look a user up (`getent passwd`) and build the identity git and npm run with: its uid, its
 * primary gid and a fresh environment (HOME, USER, LOGNAME, PATH with this node first).
 */
export async function resolveRunAs(user: string): Promise<RunAs> {
  const [name, , uidField, gidField, , home] = (await lookupEntry('passwd', user)) ?? [];
  const uid = accountId(uidField);
  const gid = accountId(gidField);
  if (!name || uid === null || gid === null) {
    throw new GuvError('GUV_USER_NOT_FOUND', `no user called "${user}"`);
  }
  return {
    uid,
    gid,
    env: {
      HOME: home || '/',
      USER: name,
      LOGNAME: name,
      PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
      LANG: 'C.UTF-8',
    },
  };
}

/**
 * Who runs git and npm for an app. A root daemon runs them as the app's user; an app without
 * a user, or a daemon that is not root, runs them as the daemon's own user (a non-root
 * daemon cannot switch users, so asking it to is an error).
 */
export async function runAsForApp(
  app: { user: string | null },
  daemonUid: number = process.getuid?.() ?? -1,
): Promise<RunAs | null> {
  if (!app.user) return null;
  if (daemonUid === 0) return resolveRunAs(app.user);
  const own = await resolveRunAs(app.user);
  if (own.uid === daemonUid) return null;
  throw new GuvError(
    'GUV_NOT_ROOT',
    `cannot run app as "${app.user}": the daemon is not running as root`,
  );
}

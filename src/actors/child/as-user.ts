import type { Identity } from './identity.js';

/** How to start a program already as a user: the command line, and the ids spawn must still set. */
export interface CommandAsUser {
  command: string;
  args: string[];
  uid?: number;
  gid?: number;
}

/**
 * Starts `command args` already as `identity`, so that nothing of an app (its node flags, a
 * NODE_OPTIONS preload, the program itself) ever runs as root. setpriv sets the ids and the
 * user's supplementary groups (initgroups), then execs the command with every descriptor kept
 * (a node child's IPC channel, fd 3). Without setpriv, spawn's own uid/gid, which clears the
 * supplementary groups. With `--group` alone the uid stays the daemon's, by design.
 *
 * @example
 * commandAsUser(www, '/usr/bin/setpriv', '/usr/bin/node', ['app.js']);
 * // { command: '/usr/bin/setpriv',
 * //   args: ['--reuid', '33', '--regid', '33', '--init-groups', '--', '/usr/bin/node', 'app.js'] }
 */
export function commandAsUser(
  identity: Identity | null,
  setprivPath: string | null,
  command: string,
  args: string[],
): CommandAsUser {
  if (identity === null) return { command, args };
  if (setprivPath === null) {
    return {
      command,
      args,
      gid: identity.gid,
      ...(identity.uid === null ? {} : { uid: identity.uid }),
    };
  }
  const ids =
    identity.uid === null
      ? ['--regid', String(identity.gid), '--clear-groups']
      : ['--reuid', String(identity.uid), '--regid', String(identity.gid), '--init-groups'];
  return { command: setprivPath, args: [...ids, '--', command, ...args] };
}

/** HOME, USER and LOGNAME of the user a child runs as; none with `--group` alone. */
export function userEnv(identity: Identity | null): Record<string, string> {
  if (!identity?.user) return {};
  return {
    USER: identity.user,
    LOGNAME: identity.user,
    ...(identity.home === null ? {} : { HOME: identity.home }),
  };
}

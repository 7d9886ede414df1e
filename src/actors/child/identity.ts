import { type EntryLookup, lookupEntry } from '../../accounts/lookup.js';
import { accountId, checkAccountName } from '../../accounts/names.js';
import { GuvError } from '../../errors.js';

/** Who a child runs as, resolved from `--user` / `--group`. */
export interface Identity {
  /** Null with `--group` alone: the uid stays the daemon's (root). */
  uid: number | null;
  gid: number;
  /** Login name, for initgroups and USER/LOGNAME; null with `--group` alone. */
  user: string | null;
  home: string | null;
}

export interface ResolveIdentityOptions {
  isRoot?: boolean;
  lookup?: EntryLookup;
}

/**
 * Resolves `--user` / `--group` (names or numeric ids) to ids. Null when neither is given.
 * Throws GUV_BAD_USER / GUV_BAD_GROUP for a malformed name, GUV_NOT_ROOT when the daemon is not
 * root, GUV_USER_NOT_FOUND / GUV_GROUP_NOT_FOUND for names the system does not know.
 */
export async function resolveIdentity(
  user: string | null,
  group: string | null,
  { isRoot = process.getuid?.() === 0, lookup = lookupEntry }: ResolveIdentityOptions = {},
): Promise<Identity | null> {
  if (user === null && group === null) return null;
  if (user !== null) checkAccountName('passwd', user);
  if (group !== null) checkAccountName('group', group);
  if (!isRoot) {
    throw new GuvError(
      'GUV_NOT_ROOT',
      `--user/--group need guv's daemon to run as root (it runs as uid ${process.getuid?.()})`,
    );
  }
  const passwd = user === null ? null : await lookup('passwd', user);
  if (user !== null && passwd === null) {
    throw new GuvError('GUV_USER_NOT_FOUND', `there is no user "${user}" on this system`);
  }
  const groupEntry = group === null ? null : await lookup('group', group);
  if (group !== null && groupEntry === null) {
    throw new GuvError('GUV_GROUP_NOT_FOUND', `there is no group "${group}" on this system`);
  }
  const uid = passwd === null ? null : accountId(passwd[2]);
  const gid = accountId(groupEntry?.[2] ?? passwd?.[3]);
  if ((passwd !== null && uid === null) || gid === null) {
    throw new GuvError(
      'GUV_USER_NOT_FOUND',
      `the account entry of "${user ?? group}" is malformed`,
    );
  }
  return {
    uid,
    gid,
    user: passwd?.[0] ?? null,
    home: passwd?.[5] ?? null,
  };
}

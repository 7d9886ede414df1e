import { execFile } from 'node:child_process';
import { readFile } from '../../fs/async-fs.js';
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

type Database = 'passwd' | 'group';
/** Returns the colon-separated entry for `key` in `database`, or null when there is none. */
export type EntryLookup = (database: Database, key: string) => Promise<string[] | null>;

export interface ResolveIdentityOptions {
  isRoot?: boolean;
  lookup?: EntryLookup;
}

/**
 * Resolves `--user` / `--group` (names or numeric ids) to ids. Null when neither is given.
 * Throws GUV_NOT_ROOT when the daemon is not root, GUV_UNKNOWN_USER / GUV_UNKNOWN_GROUP for names
 * the system does not know.
 */
export async function resolveIdentity(
  user: string | null,
  group: string | null,
  { isRoot = process.getuid?.() === 0, lookup = lookupEntry }: ResolveIdentityOptions = {},
): Promise<Identity | null> {
  if (user === null && group === null) return null;
  if (!isRoot) {
    throw new GuvError(
      'GUV_NOT_ROOT',
      `--user/--group need guv's daemon to run as root (it runs as uid ${process.getuid?.()})`,
    );
  }
  const passwd = user === null ? null : await lookup('passwd', user);
  if (user !== null && passwd === null) {
    throw new GuvError('GUV_UNKNOWN_USER', `there is no user "${user}" on this system`);
  }
  const groupEntry = group === null ? null : await lookup('group', group);
  if (group !== null && groupEntry === null) {
    throw new GuvError('GUV_UNKNOWN_GROUP', `there is no group "${group}" on this system`);
  }
  const gid = Number(groupEntry?.[2] ?? passwd?.[3]);
  return {
    uid: passwd === null ? null : Number(passwd[2]),
    gid,
    user: passwd?.[0] ?? null,
    home: passwd?.[5] ?? null,
  };
}

/** getent (which also sees LDAP and other NSS sources), else the plain files in /etc. */
export const lookupEntry: EntryLookup = async (database, key) => {
  try {
    return await getent(database, key);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return findInFile(await readFile(`/etc/${database}`, 'utf8'), key);
  }
};

function getent(database: Database, key: string): Promise<string[] | null> {
  return new Promise((resolve, reject) => {
    execFile('getent', [database, key], (error, stdout) => {
      // getent exits 2 when the key is not found.
      if (error && typeof error.code === 'number') return resolve(null);
      if (error) return reject(error);
      resolve(stdout.trim().split('\n')[0]?.split(':') ?? null);
    });
  });
}

/** Finds an entry by name (field 1) or numeric id (field 3) in passwd/group file contents. */
export function findInFile(contents: string, key: string): string[] | null {
  const byId = /^\d+$/.test(key);
  for (const line of contents.split('\n')) {
    const fields = line.split(':');
    if (fields.length < 3) continue;
    if ((byId ? fields[2] : fields[0]) === key) return fields;
  }
  return null;
}

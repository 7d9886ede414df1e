import { execFile } from 'node:child_process';
import { readFile } from '../fs/async-fs.js';
import { type AccountDatabase, checkAccountName, findInFile } from './names.js';

/** Returns the colon-separated entry for `key` in `database`, or null when there is none. */
export type EntryLookup = (database: AccountDatabase, key: string) => Promise<string[] | null>;

/**
 * Looks a user or group up by name or numeric id: getent (which also sees LDAP and other NSS
 * sources), else the plain files in /etc. The name is checked first (GUV_BAD_USER /
 * GUV_BAD_GROUP), and follows `--` anyway, so it can never be read as one of getent's options.
 *
 * @example
 * const entry = await lookupEntry('passwd', 'www-data'); // ['www-data', 'x', '33', '33', …]
 */
export const lookupEntry: EntryLookup = async (database, key) => {
  checkAccountName(database, key);
  try {
    return await getent(database, key);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return findInFile(await readFile(`/etc/${database}`, 'utf8'), key);
  }
};

function getent(database: AccountDatabase, key: string): Promise<string[] | null> {
  return new Promise((resolve, reject) => {
    execFile('getent', [database, '--', key], (error, stdout) => {
      // getent exits 2 when the key is not found.
      if (error && typeof error.code === 'number') return resolve(null);
      if (error) return reject(error);
      const fields = stdout.split('\n')[0]?.split(':') ?? [];
      resolve(fields.length >= 3 ? fields : null);
    });
  });
}

import { GuvError } from '../errors.js';

/** The two account databases guv looks names up in. */
export type AccountDatabase = 'passwd' | 'group';

// What useradd/groupadd accept (plus numeric ids): never a leading '-', which getent and most
// tools would read as an option, nor ':' or a newline, which would split a passwd line.
const ACCOUNT_NAME = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,31}\$?$/;

/**
 * Checks a user or group name (or numeric id) before it goes anywhere near a lookup.
 * Throws GUV_BAD_USER / GUV_BAD_GROUP naming the value received.
 *
 * @example
 * checkAccountName('passwd', '--service=files'); // throws GUV_BAD_USER
 */
export function checkAccountName(database: AccountDatabase, name: string): string {
  if (ACCOUNT_NAME.test(name)) return name;
  const what = database === 'passwd' ? 'user' : 'group';
  const code = database === 'passwd' ? 'GUV_BAD_USER' : 'GUV_BAD_GROUP';
  throw new GuvError(code, `invalid ${what} name ${JSON.stringify(name)}`);
}

/** A uid or gid field of an entry as a number; null unless it is all digits (`Number('')` is 0: root). */
export function accountId(field: string | undefined): number | null {
  return field !== undefined && /^\d{1,10}$/.test(field) ? Number(field) : null;
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

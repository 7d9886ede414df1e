import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { GuvError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic-file.js';
import { hashPassword, MAX_PASSWORD_BYTES, MIN_PASSWORD_LENGTH } from './passwords.js';

/** User name → scrypt hash. */
export type UserTable = Record<string, string>;

export const USER_NAME = /^[a-z_][a-z0-9_.-]{0,31}$/i;
const MAX_USERS_BYTES = 256 * 1024;

/** The dashboard's users; an absent file is an empty table (nobody can log in). */
export async function readUsers(file: string): Promise<UserTable> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw badUsers(file, error);
  }
  if (text.length > MAX_USERS_BYTES) throw badUsers(file, new Error('file too large'));
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw badUsers(file, error);
  }
  const users = (value as { users?: unknown } | null)?.users;
  if (typeof users !== 'object' || users === null || Array.isArray(users)) {
    throw badUsers(file, new Error('expected { "users": { name: hash } }'));
  }
  const table: UserTable = Object.create(null);
  for (const [name, hash] of Object.entries(users)) {
    if (USER_NAME.test(name) && typeof hash === 'string') table[name] = hash;
  }
  return table;
}

/** Sets (or replaces) a user's password; the file is rewritten atomically, mode 0600. */
export async function setPassword(file: string, user: string, password: string): Promise<void> {
  if (!USER_NAME.test(user)) {
    throw new GuvError(
      'GUV_BAD_ARGUMENT',
      `user name "${user.slice(0, 40)}": expected letters, digits, _ . - (1-32)`,
    );
  }
  if (password.length < MIN_PASSWORD_LENGTH || Buffer.byteLength(password) > MAX_PASSWORD_BYTES) {
    throw new GuvError(
      'GUV_BAD_ARGUMENT',
      `the password must have ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_BYTES} bytes`,
    );
  }
  const users = await readUsers(file);
  users[user] = await hashPassword(password);
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, `${JSON.stringify({ users }, null, 2)}\n`, 0o600);
}

/** Removes a user; true when there was one. */
export async function removeUser(file: string, user: string): Promise<boolean> {
  const users = await readUsers(file);
  if (!(user in users)) return false;
  delete users[user];
  await writeFileAtomic(file, `${JSON.stringify({ users }, null, 2)}\n`, 0o600);
  return true;
}

function badUsers(file: string, cause: unknown): GuvError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new GuvError('GUV_DASHBOARD_BAD_CONFIG', `${file}: ${why}`, { cause });
}

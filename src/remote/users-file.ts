import { randomBytes } from 'node:crypto';
import { lstat, readFile } from '../fs/async-fs.js';
import { writeFileAtomic } from '../fs/atomic-file.js';
import { GuvError } from '../errors.js';
import type { RemoteRole } from '../protocol/replies.js';
import { USER_NAME } from './user-names.js';

/**
 * A remote user. The secret is an HMAC key: the daemon must hold it in the clear to check a
 * request's MAC, so it cannot be stored hashed. What protects it is the file: 0600, owned by
 * the daemon's user (root on a system install), written atomically, and never sent over TLS.
 */
export interface UserRecord {
  name: string;
  role: RemoteRole;
  secret: string;
}

const MAX_FILE_BYTES = 1024 * 1024;
export const MAX_USERS = 1000;
const SECRET = /^[A-Za-z0-9_-]{43}$/;

/** 32 random bytes, base64url. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** The users in a users file's text; `GUV_REMOTE_USERS_INVALID` naming `path` otherwise. */
export function parseUsers(text: string, path: string): UserRecord[] {
  const bad = (why: string): never => {
    throw new GuvError('GUV_REMOTE_USERS_INVALID', `${path}: ${why}`);
  };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    bad('not valid JSON');
  }
  const users = (raw as { users?: unknown } | null)?.users;
  if (!Array.isArray(users)) return bad('expected {"users": [...]}');
  if (users.length > MAX_USERS) bad(`more than ${MAX_USERS} users`);
  const seen = new Set<string>();
  return users.map((entry: unknown, index) => {
    const { name, role, secret } = (entry ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string' || !USER_NAME.test(name)) bad(`user ${index}: bad name`);
    if (seen.has(name as string)) bad(`user ${name}: listed twice`);
    seen.add(name as string);
    if (role !== 'admin' && role !== 'read-only') bad(`user ${name}: bad role`);
    if (typeof secret !== 'string' || !SECRET.test(secret)) bad(`user ${name}: bad secret`);
    return { name, role, secret } as UserRecord;
  });
}

/**
 * Reads the users file: none when it does not exist. Refused unless it is a regular file of the
 * daemon's user that nobody else can read or write (a planted or loosened file would let
 * someone else choose who may control the daemon).
 */
export async function readUsers(path: string): Promise<UserRecord[]> {
  let stat: Awaited<ReturnType<typeof lstat>>;
  try {
    stat = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new GuvError('GUV_REMOTE_USERS_INVALID', `cannot read ${path}`, { cause: error });
  }
  const uid = process.getuid?.();
  if (!stat.isFile()) throw new GuvError('GUV_REMOTE_USERS_INVALID', `${path}: not a file`);
  if ((uid !== undefined && stat.uid !== uid) || (stat.mode & 0o077) !== 0) {
    throw new GuvError(
      'GUV_REMOTE_USERS_INVALID',
      `${path}: must belong to the daemon's user and be mode 0600`,
    );
  }
  if (stat.size > MAX_FILE_BYTES) {
    throw new GuvError('GUV_REMOTE_USERS_INVALID', `${path}: larger than ${MAX_FILE_BYTES} bytes`);
  }
  return parseUsers(await readFile(path, 'utf8'), path);
}

/** Replaces the users file atomically, mode 0600. */
export function writeUsers(path: string, users: UserRecord[]): Promise<void> {
  return writeFileAtomic(path, `${JSON.stringify({ users }, null, 2)}\n`, 0o600);
}

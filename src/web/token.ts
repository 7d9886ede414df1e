import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, readFile } from '../fs/async-fs.js';
import { writeFileAtomic } from '../fs/atomic-file.js';

/** A fresh secret for the web UI: 32 random bytes, URL-safe. */
export function createToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The token kept in `file` (mode 0600, in the daemon's private home), created on first use so a
 * bookmarked URL keeps working across daemon restarts.
 */
export async function loadOrCreateToken(file: string): Promise<string> {
  try {
    const existing = (await readFile(file, 'utf8')).trim();
    if (existing.length >= 32) {
      await chmod(file, 0o600);
      return existing;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const token = createToken();
  await writeFileAtomic(file, `${token}\n`, 0o600);
  return token;
}

/** Constant-time comparison, so response timing says nothing about how much of a guess was right. */
export function tokenMatches(expected: string, given: string | undefined | null): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

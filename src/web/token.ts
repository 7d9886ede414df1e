import { createHash, randomBytes } from 'node:crypto';

/** A fresh secret for the web UI: 32 random bytes, URL-safe (43 characters). */
export function createToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What a secret made by {@link createToken} looks like; anything else is refused unread. */
export const TOKEN_SHAPE = /^[\w-]{43}$/;

/**
 * The key a secret is kept and looked up under: its SHA-256. A lookup by digest takes the same
 * time however much of a guess was right, and memory never holds a usable secret.
 */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

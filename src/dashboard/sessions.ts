import { timingSafeEqual } from 'node:crypto';
import { createToken, TOKEN_SHAPE, tokenDigest } from '../web/token.js';

export interface DashboardSession {
  user: string;
  /** Sent back by the page in `x-guv-csrf` on every API request; never in a cookie. */
  csrf: string;
  expires: number;
}

export interface SessionStoreOptions {
  ttlMs: number;
  now?: () => number;
  max?: number;
}

/**
 * Logged-in sessions, in the dashboard's memory only (a restart logs everyone out). Kept under
 * the SHA-256 of the cookie's value, so memory never holds a usable cookie. A session expires
 * `ttlMs` after login, whatever happens meanwhile.
 *
 * @example
 * const store = createSessionStore({ ttlMs: 3_600_000 });
 * const { cookie, csrf } = store.create('alice');
 * store.check(cookie, csrf)?.user; // 'alice'
 */
export function createSessionStore(options: SessionStoreOptions) {
  const now = options.now ?? Date.now;
  const max = options.max ?? 256;
  const sessions = new Map<string, DashboardSession>();

  function find(cookie: string | null): DashboardSession | null {
    if (cookie === null || !TOKEN_SHAPE.test(cookie)) return null;
    const key = tokenDigest(cookie);
    const session = sessions.get(key);
    if (!session) return null;
    if (session.expires <= now()) {
      sessions.delete(key);
      return null;
    }
    return session;
  }

  return {
    create(user: string): { cookie: string; csrf: string; expires: number } {
      const cookie = createToken();
      const csrf = createToken();
      const expires = now() + options.ttlMs;
      sessions.set(tokenDigest(cookie), { user, csrf, expires });
      for (const key of sessions.keys()) {
        if (sessions.size <= max) break;
        sessions.delete(key);
      }
      return { cookie, csrf, expires };
    },
    /** The session of this cookie when `csrf` is its token too; null otherwise. */
    check(cookie: string | null, csrf: string | null): DashboardSession | null {
      const session = find(cookie);
      if (!session || csrf === null || csrf.length !== session.csrf.length) return null;
      return timingSafeEqual(Buffer.from(csrf), Buffer.from(session.csrf)) ? session : null;
    },
    destroy(cookie: string | null): void {
      if (cookie !== null && TOKEN_SHAPE.test(cookie)) sessions.delete(tokenDigest(cookie));
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;

import { createToken, TOKEN_SHAPE, tokenDigest } from './token.js';

export interface SessionsOptions {
  now?: () => number;
  /** How long a login code from `guv ui` may wait to be used. */
  codeTtlMs?: number;
  /** Unused codes kept at most; the oldest goes first. */
  maxCodes?: number;
  /** Sessions kept at most; the oldest goes first. */
  maxSessions?: number;
}

/**
 * The visualiser's secrets, held in the daemon's memory only, so each daemon start has new
 * ones and a restart refuses every old one. `guv ui` hands out a one-time login code; the page
 * exchanges it once for a session, which it sends as `Authorization: Bearer` (never a cookie:
 * browsers send cookies to every port of a host, so to every local service).
 *
 * @example
 * const sessions = createSessions();
 * const code = sessions.issueCode(); // goes in the link's #fragment
 * const session = sessions.exchange(code); // once; null the second time
 * sessions.isSession(session!); // true
 */
export function createSessions(options: SessionsOptions = {}) {
  const now = options.now ?? Date.now;
  const codeTtlMs = options.codeTtlMs ?? 10 * 60_000;
  const maxCodes = options.maxCodes ?? 16;
  const maxSessions = options.maxSessions ?? 64;
  /** Code digest → when it expires; insertion order is age. */
  const codes = new Map<string, number>();
  const sessions = new Set<string>();

  function dropOldest(keys: Map<string, unknown> | Set<string>, max: number): void {
    for (const key of keys.keys()) {
      if (keys.size <= max) return;
      keys.delete(key);
    }
  }

  return {
    /** A new login code, good for one exchange within the code lifetime. */
    issueCode(): string {
      const code = createToken();
      codes.set(tokenDigest(code), now() + codeTtlMs);
      dropOldest(codes, maxCodes);
      return code;
    },
    /** Uses up `code`; the new session, or null for an unknown, used or expired code. */
    exchange(code: string): string | null {
      if (!TOKEN_SHAPE.test(code)) return null;
      const key = tokenDigest(code);
      const expires = codes.get(key);
      if (expires === undefined) return null;
      codes.delete(key);
      if (expires < now()) return null;
      const session = createToken();
      sessions.add(tokenDigest(session));
      dropOldest(sessions, maxSessions);
      return session;
    },
    isSession(token: string): boolean {
      return TOKEN_SHAPE.test(token) && sessions.has(tokenDigest(token));
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;

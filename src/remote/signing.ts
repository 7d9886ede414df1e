import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Per-request authentication of the remote RPC: the client signs each request with its user's
 * secret (HMAC-SHA256 over user, method, canonical params, timestamp and nonce); the daemon
 * recomputes it. Pure apart from `node:crypto`: time and randomness come in as arguments.
 */

/** What a signed request frame carries besides `{ id, method, params }`. */
export interface RequestAuth {
  user: string;
  /** Milliseconds since the epoch, by the client's clock. */
  ts: number;
  /** Random, unique per request: 32 lowercase hex digits. */
  nonce: string;
  /** HMAC-SHA256 of {@link signingText}, lowercase hex. */
  mac: string;
}

/** How far a request's timestamp may be from the daemon's clock, either way. */
export const TIMESTAMP_WINDOW_MS = 60_000;

const NONCE = /^[0-9a-f]{32}$/;
const MAC = /^[0-9a-f]{64}$/;
const USER = /^[a-z_][a-z0-9_-]{0,31}$/;
/** Deeper params are refused before canonicalising: no method takes anything near this. */
const MAX_DEPTH = 32;

/**
 * JSON with object keys sorted at every level, so that the client and the daemon sign the same
 * text whatever order the keys travelled in. `undefined` members are left out, as JSON does.
 * Throws a RangeError past {@link MAX_DEPTH} levels.
 */
export function canonicalJson(value: unknown, depth = 0): string {
  if (depth > MAX_DEPTH) throw new RangeError('params nested too deeply');
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) {
    return `[${value.map((item) => canonicalJson(item === undefined ? null : item, depth + 1)).join(',')}]`;
  }
  const members = Object.keys(value)
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .sort()
    .map(
      (key) =>
        `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key], depth + 1)}`,
    );
  return `{${members.join(',')}}`;
}

/** The text a request's MAC covers. */
export function signingText(
  user: string,
  method: string,
  params: unknown,
  ts: number,
  nonce: string,
): string {
  return ['guv-rpc-v1', user, method, String(ts), nonce, canonicalJson(params ?? null)].join('\n');
}

function hmac(secret: string, text: string): Buffer {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(text, 'utf8').digest();
}

/** A fresh nonce (16 random bytes, hex). */
export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

/**
 * Signs one request.
 *
 * @example
 * const auth = signRequest({ user: 'ops', secret }, 'list', null, Date.now(), newNonce());
 * socket.write(encodeFrame({ id, method: 'list', params: null, auth }));
 */
export function signRequest(
  credentials: { user: string; secret: string },
  method: string,
  params: unknown,
  ts: number,
  nonce: string,
): RequestAuth {
  const text = signingText(credentials.user, method, params, ts, nonce);
  return { user: credentials.user, ts, nonce, mac: hmac(credentials.secret, text).toString('hex') };
}

/** A well-formed `auth` member, or undefined: nothing else about it is trusted yet. */
export function parseAuth(value: unknown): RequestAuth | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { user, ts, nonce, mac } = value as Record<string, unknown>;
  if (typeof user !== 'string' || !USER.test(user)) return undefined;
  if (typeof ts !== 'number' || !Number.isSafeInteger(ts)) return undefined;
  if (typeof nonce !== 'string' || !NONCE.test(nonce)) return undefined;
  if (typeof mac !== 'string' || !MAC.test(mac)) return undefined;
  return { user, ts, nonce, mac };
}

export type Verdict = 'ok' | 'bad-mac' | 'stale';

/**
 * Checks a request's timestamp and MAC. `secret` is null for a user that does not exist: the MAC
 * is still computed (against a throwaway key) so that the answer and its timing are the same.
 */
export function verifyRequest(
  auth: RequestAuth,
  secret: string | null,
  method: string,
  params: unknown,
  now: number,
): Verdict {
  if (Math.abs(now - auth.ts) > TIMESTAMP_WINDOW_MS) return 'stale';
  let text: string;
  try {
    text = signingText(auth.user, method, params, auth.ts, auth.nonce);
  } catch {
    return 'bad-mac';
  }
  const expected = hmac(secret ?? UNKNOWN_USER_KEY, text);
  const given = Buffer.from(auth.mac, 'hex');
  return timingSafeEqual(expected, given) && secret !== null ? 'ok' : 'bad-mac';
}

const UNKNOWN_USER_KEY = randomBytes(32).toString('hex');

import { GuvError } from '../errors.js';
import { LOCAL_ONLY_METHODS, type MethodName, READ_ONLY_METHODS } from '../protocol/methods.js';
import type { RemoteUser } from '../protocol/replies.js';
import type { RequestFrame } from '../rpc/frame.js';
import type { NonceCache } from './nonce-cache.js';
import { parseAuth, verifyRequest } from './signing.js';

export interface GateDeps {
  /** The user's role and secret, or undefined when there is no such user. */
  lookup(name: string): { role: RemoteUser['role']; secret: string } | undefined;
  nonces: NonceCache;
  now(): number;
}

/**
 * Decides one remote request: the user and the role it runs as, or a `GuvError`. The order
 * matters: the timestamp is checked before the user is looked up and the MAC is computed
 * whether or not the user exists, so a refusal says nothing about which users exist; the nonce
 * is remembered only once the MAC is good, so only real users can fill the cache.
 *
 * @example
 * const authorize = createRequestGate({ lookup: users.get, nonces: new NonceCache(), now: Date.now });
 * authorize(request); // throws GUV_REMOTE_AUTH_FAILED, GUV_REMOTE_FORBIDDEN, …
 */
export function createRequestGate(deps: GateDeps): (request: RequestFrame) => RemoteUser {
  return (request) => {
    const auth = parseAuth(request.auth);
    if (auth === undefined) throw authFailed();
    const now = deps.now();
    const user = deps.lookup(auth.user);
    const verdict = verifyRequest(auth, user?.secret ?? null, request.method, request.params, now);
    if (verdict === 'stale') {
      throw new GuvError(
        'GUV_REMOTE_STALE_REQUEST',
        'the request is stamped more than 60 s away from the daemon’s clock',
      );
    }
    if (verdict !== 'ok' || user === undefined) throw authFailed();
    const seen = deps.nonces.remember(auth.user, auth.nonce, auth.ts, now);
    if (seen === 'replay') {
      throw new GuvError('GUV_REMOTE_REPLAYED', 'this request was seen before (same nonce)');
    }
    if (seen === 'full') {
      throw new GuvError('GUV_REMOTE_BUSY', 'too many remote requests in the last minute');
    }
    const method = request.method as MethodName;
    if (LOCAL_ONLY_METHODS.has(method)) {
      throw new GuvError('GUV_REMOTE_FORBIDDEN', `${request.method} is only served locally`);
    }
    if (user.role !== 'admin' && !READ_ONLY_METHODS.has(method)) {
      throw new GuvError(
        'GUV_REMOTE_FORBIDDEN',
        `${auth.user} is read-only and may not call ${request.method}`,
      );
    }
    return { name: auth.user, role: user.role };
  };
}

function authFailed(): GuvError {
  return new GuvError('GUV_REMOTE_AUTH_FAILED', 'authentication failed');
}

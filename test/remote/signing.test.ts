import { describe, expect, it } from 'vitest';
import { NonceCache } from '../../src/remote/nonce-cache.js';
import {
  canonicalJson,
  newNonce,
  parseAuth,
  signRequest,
  TIMESTAMP_WINDOW_MS,
  verifyRequest,
} from '../../src/remote/signing.js';

const alice = { user: 'alice', secret: 'a'.repeat(43) };
const now = 1_800_000_000_000;

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('refuses params nested past its depth limit', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(() => canonicalJson(deep)).toThrow(RangeError);
  });
});

describe('signRequest and verifyRequest', () => {
  const params = { target: 'web', env: { B: '2', A: '1' } };
  const nonce = newNonce();
  const auth = signRequest(alice, 'restart', params, now, nonce);

  it('accepts the request as signed, whatever the key order on the wire', () => {
    const reordered = JSON.parse('{"env":{"A":"1","B":"2"},"target":"web"}');
    expect(verifyRequest(auth, alice.secret, 'restart', reordered, now + 1000)).toBe('ok');
  });

  it('refuses a wrong secret, another method, tampered params, and an unknown user', () => {
    expect(verifyRequest(auth, 'b'.repeat(43), 'restart', params, now)).toBe('bad-mac');
    expect(verifyRequest(auth, alice.secret, 'stop', params, now)).toBe('bad-mac');
    expect(verifyRequest(auth, alice.secret, 'restart', { ...params, target: 'db' }, now)).toBe(
      'bad-mac',
    );
    expect(verifyRequest(auth, null, 'restart', params, now)).toBe('bad-mac');
  });

  it('refuses a changed nonce, timestamp or user name', () => {
    expect(
      verifyRequest({ ...auth, nonce: newNonce() }, alice.secret, 'restart', params, now),
    ).toBe('bad-mac');
    expect(verifyRequest({ ...auth, ts: now + 1 }, alice.secret, 'restart', params, now)).toBe(
      'bad-mac',
    );
    expect(verifyRequest({ ...auth, user: 'bob' }, alice.secret, 'restart', params, now)).toBe(
      'bad-mac',
    );
  });

  it('refuses a timestamp outside ±60 s before looking at the MAC', () => {
    expect(
      verifyRequest(auth, alice.secret, 'restart', params, now + TIMESTAMP_WINDOW_MS + 1),
    ).toBe('stale');
    expect(
      verifyRequest(auth, alice.secret, 'restart', params, now - TIMESTAMP_WINDOW_MS - 1),
    ).toBe('stale');
  });
});

describe('parseAuth', () => {
  it('takes only a well-formed auth member', () => {
    const auth = signRequest(alice, 'list', null, now, newNonce());
    expect(parseAuth(auth)).toEqual(auth);
    expect(parseAuth(null)).toBeUndefined();
    expect(parseAuth({ ...auth, mac: 'zz' })).toBeUndefined();
    expect(parseAuth({ ...auth, nonce: 'short' })).toBeUndefined();
    expect(parseAuth({ ...auth, ts: '1' })).toBeUndefined();
    expect(parseAuth({ ...auth, user: '../root' })).toBeUndefined();
  });
});

describe('NonceCache', () => {
  it('refuses a nonce seen within the window, per user', () => {
    const cache = new NonceCache();
    expect(cache.remember('alice', 'n1', now, now)).toBe('ok');
    expect(cache.remember('alice', 'n1', now, now + 30_000)).toBe('replay');
    expect(cache.remember('bob', 'n1', now, now)).toBe('ok');
  });

  it('stays bounded: forgets expired nonces, then fails closed when full', () => {
    const cache = new NonceCache(2);
    expect(cache.remember('alice', 'n1', now, now)).toBe('ok');
    expect(cache.remember('alice', 'n2', now, now)).toBe('ok');
    expect(cache.remember('alice', 'n3', now, now)).toBe('full');
    const later = now + TIMESTAMP_WINDOW_MS + 1;
    expect(cache.remember('alice', 'n3', later, later)).toBe('ok');
    expect(cache.size).toBe(1);
  });
});

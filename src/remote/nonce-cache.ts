import { TIMESTAMP_WINDOW_MS } from './signing.js';

/**
 * The nonces of the requests accepted in the last window, so that a captured request cannot be
 * played again while its timestamp is still fresh. A nonce is kept until its request's timestamp
 * leaves the window; past `maxEntries` live nonces, new requests are refused (fail closed) rather
 * than forgetting one early.
 */
export class NonceCache {
  readonly #expiries = new Map<string, number>();
  readonly #maxEntries: number;

  constructor(maxEntries = 100_000) {
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#expiries.size;
  }

  /**
   * Remembers `user`'s `nonce` of a request stamped `ts`: 'ok' the first time, 'replay' when it
   * was seen in the window, 'full' when too many live nonces are remembered.
   */
  remember(user: string, nonce: string, ts: number, now: number): 'ok' | 'replay' | 'full' {
    const key = `${user}\n${nonce}`;
    const known = this.#expiries.get(key);
    if (known !== undefined && known >= now) return 'replay';
    if (this.#expiries.size >= this.#maxEntries) this.prune(now);
    if (this.#expiries.size >= this.#maxEntries) return 'full';
    this.#expiries.delete(key);
    this.#expiries.set(key, ts + TIMESTAMP_WINDOW_MS);
    return 'ok';
  }

  /** Forgets the nonces whose requests can no longer be accepted anyway. */
  prune(now: number): void {
    for (const [key, expiry] of this.#expiries) if (expiry < now) this.#expiries.delete(key);
  }
}

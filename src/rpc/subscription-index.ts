import { type EventMatcher, compilePattern } from '../bus/pattern.js';
import { GuvError } from '../errors.js';

/** Beyond this many distinct event names the per-name cache starts over (names are few). */
const MAX_CACHED_TYPES = 4096;

/**
 * Which subscribers (connections) want which event names. `watchers(type)` is answered from
 * a per-name cache that any subscription change clears, so publishing (and asking whether
 * anybody listens at all) costs one map lookup in the steady state.
 */
export class SubscriptionIndex<S> {
  readonly #patterns = new Map<S, Map<string, EventMatcher>>();
  readonly #cache = new Map<string, readonly S[]>();
  readonly #maxPerSubscriber: number;

  constructor(maxPerSubscriber = 256) {
    this.#maxPerSubscriber = maxPerSubscriber;
  }

  /** Adds `pattern` for `subscriber`; throws `GUV_BAD_PATTERN` for an invalid one. */
  add(subscriber: S, pattern: string): void {
    const matcher = compilePattern(pattern);
    let own = this.#patterns.get(subscriber);
    if (own === undefined) {
      own = new Map();
      this.#patterns.set(subscriber, own);
    }
    if (own.has(pattern)) return;
    if (own.size >= this.#maxPerSubscriber) {
      throw new GuvError(
        'GUV_TOO_MANY_SUBSCRIPTIONS',
        `a connection may hold at most ${this.#maxPerSubscriber} subscriptions`,
      );
    }
    own.set(pattern, matcher);
    this.#cache.clear();
  }

  /** Removes `pattern` for `subscriber`; true if it was there. */
  remove(subscriber: S, pattern: string): boolean {
    const own = this.#patterns.get(subscriber);
    if (!own?.delete(pattern)) return false;
    if (own.size === 0) this.#patterns.delete(subscriber);
    this.#cache.clear();
    return true;
  }

  removeAll(subscriber: S): void {
    if (this.#patterns.delete(subscriber)) this.#cache.clear();
  }

  patternsOf(subscriber: S): string[] {
    return [...(this.#patterns.get(subscriber)?.keys() ?? [])];
  }

  /** The subscribers with at least one pattern matching `type`. */
  watchers(type: string): readonly S[] {
    let found = this.#cache.get(type);
    if (found === undefined) {
      found = [];
      for (const [subscriber, own] of this.#patterns) {
        for (const matches of own.values()) {
          if (matches(type)) {
            (found as S[]).push(subscriber);
            break;
          }
        }
      }
      if (this.#cache.size >= MAX_CACHED_TYPES) this.#cache.clear();
      this.#cache.set(type, found);
    }
    return found;
  }

  isWatched(type: string): boolean {
    return this.#patterns.size > 0 && this.watchers(type).length > 0;
  }
}

import { GuvError } from '../errors.js';

/**
 * The bus's name and pattern rule. Names and patterns are split on `:`. In a pattern, a `*`
 * segment matches exactly one segment, except a trailing `*`, which matches one or more
 * remaining segments; `'*'` alone therefore matches every name. Any other segment matches
 * only itself.
 *
 * @example
 * matchesPattern('process:*', 'process:log:info'); // true
 * matchesPattern('*:log:error', 'daemon:log:error'); // true
 * matchesPattern('*:log:error', 'process:exit'); // false
 */
export type EventMatcher = (type: string) => boolean;

const SEGMENT = '[^:]+';
const ONE_OR_MORE_SEGMENTS = `${SEGMENT}(?::${SEGMENT})*`;

/**
 * Far longer than any event name. Patterns come from socket clients: a very long one
 * compiles to a regex V8 refuses to run ("too large") the first time an event is tested.
 */
export const MAX_PATTERN_LENGTH = 256;

/** Clients choose the patterns, so the cache of compiled ones starts over beyond this. */
const MAX_COMPILED = 4096;

const compiled = new Map<string, EventMatcher>();

/** True when `s` is a pattern (contains `*`) rather than an exact event name. */
export function isPattern(s: string): boolean {
  return s.includes('*');
}

/**
 * Throws `GUV_BAD_PATTERN` naming the value unless `s` is a valid name or pattern: non-empty
 * segments separated by `:`, each either plain text or exactly `*`, at most 256 characters.
 */
export function assertValidPattern(s: string): void {
  if (typeof s !== 'string' || s === '') {
    throw badPattern(s, 'expected a non-empty string');
  }
  if (s.length > MAX_PATTERN_LENGTH) {
    throw badPattern(`${s.slice(0, 40)}…`, `it is longer than ${MAX_PATTERN_LENGTH} characters`);
  }
  for (const segment of s.split(':')) {
    if (segment === '') throw badPattern(s, 'it has an empty segment');
    if (segment !== '*' && segment.includes('*')) {
      throw badPattern(s, `segment "${segment}" mixes "*" with other characters`);
    }
  }
}

/** Compiles (once, then cached) a validated name or pattern into a predicate over event names. */
export function compilePattern(pattern: string): EventMatcher {
  let matcher = compiled.get(pattern);
  if (matcher === undefined) {
    assertValidPattern(pattern);
    matcher = isPattern(pattern) ? regexMatcher(pattern) : (type) => type === pattern;
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(pattern, matcher);
  }
  return matcher;
}

/** Whether event name `type` is matched by `pattern` (an exact name matches only itself). */
export function matchesPattern(pattern: string, type: string): boolean {
  return compilePattern(pattern)(type);
}

function regexMatcher(pattern: string): EventMatcher {
  const segments = pattern.split(':');
  const last = segments.length - 1;
  const source = segments
    .map((segment, i) => {
      if (segment !== '*') return escapeRegExp(segment);
      return i === last ? ONE_OR_MORE_SEGMENTS : SEGMENT;
    })
    .join(':');
  const regex = new RegExp(`^${source}$`);
  return (type) => regex.test(type);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function badPattern(value: unknown, why: string): GuvError {
  return new GuvError(
    'GUV_BAD_PATTERN',
    `bad event name or pattern ${JSON.stringify(value)}: ${why}`,
  );
}

import { describe, expect, it } from 'vitest';
import {
  assertValidPattern,
  compilePattern,
  isPattern,
  matchesPattern,
} from '../../src/bus/pattern.js';
import { GuvError } from '../../src/errors.js';

const table: Array<[pattern: string, name: string, matches: boolean]> = [
  ['*', 'process:exit', true],
  ['*', 'process:log:info', true],
  ['*', 'daemon:dump', true],
  ['*', 'single', true],
  ['process:*', 'process:exit', true],
  ['process:*', 'process:log:info', true],
  ['process:*', 'process:config:request', true],
  ['process:*', 'process', false],
  ['process:*', 'worker:exit', false],
  ['process:*', 'processes:exit', false],
  ['process:*', 'xprocess:exit', false],
  ['*:log:error', 'process:log:error', true],
  ['*:log:error', 'daemon:log:error', true],
  ['*:log:error', 'worker:log:error', true],
  ['*:log:error', 'process:exit', false],
  ['*:log:error', 'process:log:info', false],
  ['*:log:error', 'log:error', false],
  ['*:log:error', 'a:b:log:error', false],
  ['worker:log:*', 'worker:log:info', true],
  ['worker:log:*', 'worker:log:error', true],
  ['worker:log:*', 'worker:log', false],
  ['worker:log:*', 'process:log:info', false],
  ['*:log:*', 'cluster:log:warn', true],
  ['*:log:*', 'cluster:exit', false],
  ['*:*', 'daemon:dump', true],
  ['*:*', 'app:refs:switched', true],
  ['*:*', 'daemon', false],
  ['*:exit', 'process:exit', true],
  ['*:exit', 'worker:exit', true],
  ['*:exit', 'process:log:exit', false],
  ['app:*:switched', 'app:refs:switched', true],
  ['app:*:switched', 'app:refs:updated', false],
  ['process:exit', 'process:exit', true],
  ['process:exit', 'process:exited', false],
  ['process:exit', 'process:exit:now', false],
  ['process:exit', 'worker:exit', false],
  // Regex metacharacters in a name are literal.
  ['a.b:*', 'a.b:c', true],
  ['a.b:*', 'axb:c', false],
  ['a+:c', 'a+:c', true],
  ['a+:c', 'aa:c', false],
  // Malformed names never match a pattern.
  ['process:*', 'process:', false],
  ['process:*', 'process::exit', false],
  ['*', '', false],
];

describe('the pattern rule', () => {
  it.each(table)('%j against %j is %j', (pattern, name, expected) => {
    expect(matchesPattern(pattern, name)).toBe(expected);
  });

  it('caches compiled matchers', () => {
    expect(compilePattern('process:*')).toBe(compilePattern('process:*'));
    expect(compilePattern('process:exit')).toBe(compilePattern('process:exit'));
  });

  it('tells patterns from names', () => {
    expect(isPattern('*')).toBe(true);
    expect(isPattern('process:*')).toBe(true);
    expect(isPattern('*:log:error')).toBe(true);
    expect(isPattern('process:exit')).toBe(false);
  });
});

describe('invalid names and patterns', () => {
  const invalid = ['', ':', 'a::b', ':a', 'a:', 'proc*', '*proc', 'process:ex*t', '**', 'a:**:b'];

  it.each(invalid)('rejects %j with GUV_BAD_PATTERN naming it', (value) => {
    const error = catchError(() => assertValidPattern(value));
    expect(error).toBeInstanceOf(GuvError);
    expect(error).toMatchObject({ code: 'GUV_BAD_PATTERN' });
    expect((error as Error).message).toContain(JSON.stringify(value));
    expect(() => compilePattern(value)).toThrow(GuvError);
    expect(() => matchesPattern(value, 'a:b')).toThrow(GuvError);
  });

  it('rejects values that are not strings', () => {
    expect(() => assertValidPattern(undefined as unknown as string)).toThrow(/GUV|pattern/);
    expect(() => assertValidPattern(42 as unknown as string)).toThrow(/42/);
  });

  // A ~50 kB pattern compiled to a regex V8 refused to run, throwing inside every publisher.
  it('rejects a pattern longer than 256 characters, before compiling it', () => {
    expect(() => assertValidPattern(`a:${'p'.repeat(255)}`)).toThrow(/longer than 256/);
    expect(() => compilePattern(`fuzz:${'p'.repeat(100_000)}:*`)).toThrow(GuvError);
    expect(compilePattern(`a:${'p'.repeat(252)}:*`)(`a:${'p'.repeat(252)}:x`)).toBe(true);
  });

  it.each(['*', 'a', 'a:b', 'process:*', '*:log:error', 'a:*:c', '*:*'])('accepts %j', (value) => {
    expect(() => assertValidPattern(value)).not.toThrow();
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

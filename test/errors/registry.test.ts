import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_AREAS, ERROR_CODES, isGuvErrorCode } from '../../src/error-codes.js';
import { GuvError } from '../../src/errors.js';

const root = resolve(import.meta.dirname, '../..');
const REGISTRY = 'src/error-codes.ts';

// `GUV_` names in src that are environment variables, not error codes. A new one fails the
// first test below until it is registered as a code or listed here.
const NOT_ERROR_CODES = new Set([
  'GUV_APP_READINESS',
  'GUV_CHILD_ID',
  'GUV_DEBUG',
  'GUV_DEFERRED_NODE_EXTRA_CA_CERTS',
  'GUV_HEARTBEAT_MS',
  'GUV_HOME',
  'GUV_HOST',
  'GUV_LOG_LEVEL',
  'GUV_ORPHAN_KILL_MS',
  'GUV_REAPED',
  'GUV_WORKER_INDEX',
]);

const sources = readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' })
  .filter((file) => /\.(c|m)?(t|j)s$/.test(file))
  .map((file) => join('src', file))
  .filter((file) => file !== REGISTRY)
  .map((file) => ({ file, text: readFileSync(join(root, file), 'utf8') }));

/** Every `GUV_…` name in a source file (comments included, so stale ones are caught too). */
function namesIn(text: string): string[] {
  return [...text.matchAll(/(?<![\w$])GUV_[A-Z0-9_]+/g)].map((match) => match[0]);
}

describe('the error code registry (src/error-codes.ts)', () => {
  it('has every GUV_ code that appears in src', () => {
    const missing = sources.flatMap(({ file, text }) =>
      namesIn(text)
        .filter((name) => !isGuvErrorCode(name) && !NOT_ERROR_CODES.has(name))
        .map((name) => `${name} in ${file}`),
    );
    expect([...new Set(missing)]).toEqual([]);
  });

  it('has no code that src never uses as a string', () => {
    const used = new Set(
      sources.flatMap(({ text }) =>
        [...text.matchAll(/['"](GUV_[A-Z0-9_]+)['"]/g)].map((match) => match[1]),
      ),
    );
    expect(Object.keys(ERROR_CODES).filter((code) => !used.has(code))).toEqual([]);
  });

  it('names no environment variable as a code', () => {
    expect([...NOT_ERROR_CODES].filter((name) => isGuvErrorCode(name))).toEqual([]);
  });

  it('gives every code a one-line summary, a known area and an exit status of 1 or 2', () => {
    for (const [code, spec] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^GUV_[A-Z0-9]+(_[A-Z0-9]+)*$/);
      expect(Object.keys(ERROR_AREAS), code).toContain(spec.area);
      expect(spec.summary, code).toMatch(/^\S[^\n]*\.$/);
      if (spec.hint !== undefined) expect(spec.hint, code).toMatch(/^\S[^\n]*\.$/);
      expect([1, 2], code).toContain(spec.exit);
    }
  });

  it('isGuvErrorCode accepts registered codes only', () => {
    expect(isGuvErrorCode('GUV_PROCESS_NOT_FOUND')).toBe(true);
    expect(isGuvErrorCode('GUV_NO_SUCH_CODE')).toBe(false);
    expect(isGuvErrorCode('toString')).toBe(false);
    expect(isGuvErrorCode('__proto__')).toBe(false);
    expect(isGuvErrorCode(42)).toBe(false);
    expect(isGuvErrorCode(undefined)).toBe(false);
  });

  it('GuvError takes registered codes only (checked by tsc)', () => {
    // @ts-expect-error an unregistered code is a compile error
    const typo = new GuvError('GUV_PROCES_NOT_FOUND', 'typo');
    expect(isGuvErrorCode(typo.code)).toBe(false);
    expect(new GuvError('GUV_PROCESS_NOT_FOUND', 'x').code).toBe('GUV_PROCESS_NOT_FOUND');
  });
});

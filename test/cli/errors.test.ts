import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { describeCliError, exitCodeFor, formatCliError } from '../../src/cli/errors.js';
import { ERROR_CODES, type GuvErrorCode } from '../../src/error-codes.js';
import { GuvError } from '../../src/errors.js';

function parseError(): unknown {
  try {
    parseArgs({ args: ['--bogus'], options: {} });
  } catch (error) {
    return error;
  }
  throw new Error('parseArgs accepted --bogus');
}

describe('the CLI maps an error to one line and an exit status from the registry', () => {
  it('every registered code exits with its registered status', () => {
    for (const [code, spec] of Object.entries(ERROR_CODES)) {
      expect(exitCodeFor(new GuvError(code as GuvErrorCode, 'x')), code).toBe(spec.exit);
    }
  });

  it('usage errors exit 2, other failures 1, as before the registry', () => {
    expect(exitCodeFor(new GuvError('GUV_USAGE', 'usage: guv stop <p>'))).toBe(2);
    expect(exitCodeFor(new GuvError('GUV_BAD_ARGUMENT', '--top must be a number'))).toBe(2);
    expect(exitCodeFor(new GuvError('GUV_BAD_PATTERN', 'bad event name'))).toBe(2);
    expect(exitCodeFor(new GuvError('GUV_PROCESS_NOT_FOUND', 'no process "x"'))).toBe(1);
    expect(exitCodeFor(new GuvError('GUV_BAD_REPO_URL', 'refusing repository URL'))).toBe(1);
    expect(exitCodeFor(parseError())).toBe(2);
    expect(exitCodeFor(new Error('boom'))).toBe(1);
    expect(exitCodeFor('a string')).toBe(1);
  });

  it('a GuvError is its message on one line, with its code and the registry hint', () => {
    const failure = describeCliError(new GuvError('GUV_APP_NOT_FOUND', 'no app called "x"'));
    expect(failure).toEqual({
      line: 'guv: no app called "x"',
      code: 'GUV_APP_NOT_FOUND',
      hint: ERROR_CODES.GUV_APP_NOT_FOUND.hint,
      exit: 1,
    });
  });

  it('a code without a hint has none', () => {
    const failure = describeCliError(new GuvError('GUV_APP_FAILED', 'install failed: x'));
    expect(failure).toMatchObject({ code: 'GUV_APP_FAILED', hint: null, exit: 1 });
  });

  it('an unregistered code forced in by a cast is a plain failure, not a crash', () => {
    const forged = new GuvError('GUV_NOT_A_REAL_CODE' as GuvErrorCode, 'odd');
    expect(describeCliError(forged)).toEqual({
      line: 'guv: odd',
      code: null,
      hint: null,
      exit: 1,
    });
  });

  it('prints one line without GUV_DEBUG: no hint, no stack, newlines escaped', () => {
    const error = new GuvError('GUV_PROCESS_NOT_FOUND', 'no process called "a\nguv: forged"');
    const text = formatCliError(error, {});
    expect(text).toBe('guv: no process called "a\\u000aguv: forged"');
    expect(text.split('\n')).toHaveLength(1);
  });

  it('an unexpected error is one line that points at GUV_DEBUG', () => {
    expect(formatCliError(new Error('boom\nsecond line'), {})).toBe(
      'guv: unexpected error: boom (set GUV_DEBUG=1 for details)',
    );
  });

  it('with GUV_DEBUG, the code and its hint follow the line, then the stack', () => {
    const error = new GuvError('GUV_APP_NOT_FOUND', 'no app called "x"');
    const lines = formatCliError(error, { GUV_DEBUG: '1' }).split('\n');
    expect(lines[0]).toBe('guv: no app called "x"');
    expect(lines[1]).toBe(`GUV_APP_NOT_FOUND: ${ERROR_CODES.GUV_APP_NOT_FOUND.hint}`);
    expect(lines[2]).toBe('GuvError: no app called "x"');
    expect(lines.slice(3).join('\n')).toMatch(/^\s+at /);
  });
});

import { ERROR_CODES, type GuvErrorCode, isGuvErrorCode } from '../error-codes.js';
import { GuvError } from '../errors.js';

// Messages quote names, refs and URLs the user or a repository chose: a raw newline would
// forge a second line, an escape sequence would drive the terminal, a bidi override would
// make the line read as something else.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it escapes
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every control, line-separator and bidi character written as `\uXXXX`. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** What the CLI reports for a failure: one line, the registry's hint, the exit status. */
export interface CliFailure {
  /** `guv: <message>`, on one line whatever the message holds. */
  line: string;
  /** The code of a `GuvError`, or null for anything else. */
  code: GuvErrorCode | null;
  /** What the user can do (from src/error-codes.ts), or null. */
  hint: string | null;
  exit: number;
}

/**
 * Maps an error to what the CLI reports, from the registry: a `GuvError` by its code, a
 * command-line parse error as a usage error (2), anything else as unexpected (1).
 *
 * @example
 * describeCliError(new GuvError('GUV_USAGE', 'usage: guv stop <p>')).exit; // 2
 */
export function describeCliError(error: unknown): CliFailure {
  if (error instanceof GuvError) {
    const line = `guv: ${printable(error.message)}`;
    // A code is typed, but a caller can still cast: an unregistered one is a plain failure.
    if (!isGuvErrorCode(error.code)) return { line, code: null, hint: null, exit: 1 };
    const spec: { hint?: string; exit: number } = ERROR_CODES[error.code];
    return { line, code: error.code, hint: spec.hint ?? null, exit: spec.exit };
  }
  if (isParseArgsError(error)) {
    return { line: `guv: ${printable(error.message)}`, code: null, hint: null, exit: 2 };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    line: `guv: unexpected error: ${printable(message.split('\n')[0]!)} (set GUV_DEBUG=1 for details)`,
    code: null,
    hint: null,
    exit: 1,
  };
}

/**
 * One clear line for the user. With GUV_DEBUG set, the code and its hint follow on a line of
 * their own, then the stack.
 */
export function formatCliError(error: unknown, env: NodeJS.ProcessEnv): string {
  const failure = describeCliError(error);
  if (!env.GUV_DEBUG) return failure.line;
  const { code, hint } = failure;
  const detail = code === null ? [] : [hint === null ? code : `${code}: ${hint}`];
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return [failure.line, ...detail, stack].join('\n');
}

export function exitCodeFor(error: unknown): number {
  return describeCliError(error).exit;
}

function isParseArgsError(error: unknown): error is Error & { code: string } {
  return (
    error instanceof Error &&
    typeof (error as { code?: unknown }).code === 'string' &&
    (error as unknown as { code: string }).code.startsWith('ERR_PARSE_ARGS')
  );
}

import { GuvError } from '../errors.js';

const usageCodes = new Set(['GUV_BAD_ARGUMENT', 'GUV_BAD_PATTERN', 'GUV_USAGE']);

// Messages quote names, refs and URLs the user or a repository chose: a raw newline would
// forge a second line, an escape sequence would drive the terminal, a bidi override would
// make the line read as something else.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it escapes
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every control, line-separator and bidi character written as `\uXXXX`. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** One clear line for the user; the stack only when GUV_DEBUG is set. */
export function formatCliError(error: unknown, env: NodeJS.ProcessEnv): string {
  const debug = env.GUV_DEBUG ? `\n${error instanceof Error ? error.stack : String(error)}` : '';
  if (error instanceof GuvError || isParseArgsError(error)) {
    return `guv: ${printable(error.message)}${debug}`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `guv: unexpected error: ${printable(message.split('\n')[0]!)} (set GUV_DEBUG=1 for details)${debug}`;
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof GuvError) return usageCodes.has(error.code) ? 2 : 1;
  if (isParseArgsError(error)) return 2;
  return 1;
}

function isParseArgsError(error: unknown): error is Error & { code: string } {
  return (
    error instanceof Error &&
    typeof (error as { code?: unknown }).code === 'string' &&
    (error as unknown as { code: string }).code.startsWith('ERR_PARSE_ARGS')
  );
}

import { GuvError } from '../errors.js';

const usageCodes = new Set(['GUV_BAD_ARGUMENT', 'GUV_BAD_PATTERN', 'GUV_USAGE']);

/** One clear line for the user; the stack only when GUV_DEBUG is set. */
export function formatCliError(error: unknown, env: NodeJS.ProcessEnv): string {
  const debug = env.GUV_DEBUG ? `\n${error instanceof Error ? error.stack : String(error)}` : '';
  if (error instanceof GuvError) return `guv: ${error.message}${debug}`;
  if (isParseArgsError(error)) return `guv: ${error.message}${debug}`;
  const message = error instanceof Error ? error.message : String(error);
  return `guv: unexpected error: ${message.split('\n')[0]} (set GUV_DEBUG=1 for details)${debug}`;
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

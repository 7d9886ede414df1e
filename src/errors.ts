import type { GuvErrorCode } from './error-codes.js';

export type { GuvErrorCode } from './error-codes.js';

/**
 * The one error class that reaches users. `code` is stable and registered in
 * `src/error-codes.ts` (documented in docs/errors.md); `cause` keeps the original.
 *
 * @example
 * throw new GuvError('GUV_PROCESS_NOT_FOUND', `no process called "${name}"`);
 */
export class GuvError extends Error {
  override name = 'GuvError';
  readonly code: GuvErrorCode;

  constructor(code: GuvErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isGuvError(value: unknown): value is GuvError {
  return value instanceof GuvError;
}

/** Stable, documented error codes; the CLI maps them to one line and an exit status. */
export type GuvErrorCode = `GUV_${string}`;

/**
 * The one error class that reaches users. `code` is stable; `cause` keeps the original.
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

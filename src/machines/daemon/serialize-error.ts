import type { SerializedError } from '../../types/info.js';

/** Turns whatever an actor rejected with into plain data fit for the bus. */
export function toSerializedError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      message: error.message,
      ...(typeof code === 'string' ? { code } : {}),
      ...(error.stack ? { stack: error.stack } : {}),
    };
  }
  if (isSerializedError(error)) return error;
  return { name: 'Error', message: String(error) };
}

function isSerializedError(value: unknown): value is SerializedError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as SerializedError).name === 'string' &&
    typeof (value as SerializedError).message === 'string'
  );
}

import { GuvError } from '../errors.js';

/** What a remote user name may be: the shape of a Unix login, so it is safe in logs and JSON. */
export const USER_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;

/** A valid remote user name, or `GUV_BAD_ARGUMENT` naming what was received. */
export function parseUserName(value: unknown): string {
  if (typeof value !== 'string' || !USER_NAME.test(value)) {
    const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 64)) : typeof value;
    throw new GuvError(
      'GUV_BAD_ARGUMENT',
      `a user name is 1 to 32 of a-z, 0-9, _ and -, starting with a letter or _; got ${shown}`,
    );
  }
  return value;
}

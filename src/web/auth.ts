import type { IncomingMessage } from 'node:http';

/**
 * A page on another origin that rebinds its DNS name to 127.0.0.1 sends its own Host: refused
 * whatever else it sends.
 */
export function isLoopbackHost(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}` || host === `[::1]:${port}`;
}

/** The `Authorization: Bearer` value, or null. Nothing is read from a query or a cookie. */
export function bearerToken(request: IncomingMessage): string | null {
  return /^Bearer ([\w-]{1,128})$/.exec(request.headers.authorization ?? '')?.[1] ?? null;
}

/** A browser says where a request comes from; only the page's own origin may sign in. */
export function isSameOrigin(request: IncomingMessage): boolean {
  const origin = request.headers.origin;
  return origin === undefined || origin === `http://${request.headers.host}`;
}

/** The login code the page sends to `POST /api/session`. */
export function loginCode(request: IncomingMessage): string | null {
  const code = request.headers['x-guv-login'];
  return typeof code === 'string' ? code : null;
}

import type { IncomingMessage } from 'node:http';
import { tokenMatches } from './token.js';

export interface Authorization {
  ok: boolean;
  /** The token came in the query string: the page answers with a cookie so the rest follows. */
  fromQuery: boolean;
}

/** The cookie carrying the token; named per port so two daemons on one host do not clash. */
export function cookieName(port: number): string {
  return `guv_token_${port}`;
}

/**
 * Checks a request's token (query `?token=`, header `x-guv-token`, `Authorization: Bearer`, or
 * the cookie) and its Host header: a page on another origin that rebinds its DNS name to
 * 127.0.0.1 sends its own Host, so it is refused even before the token is looked at.
 */
export function authorize(
  request: IncomingMessage,
  url: URL,
  token: string,
  port: number,
): Authorization {
  if (!isLoopbackHost(request.headers.host, port)) return { ok: false, fromQuery: false };
  const query = url.searchParams.get('token');
  if (query !== null) return { ok: tokenMatches(token, query), fromQuery: true };
  const header = request.headers['x-guv-token'];
  if (typeof header === 'string') return { ok: tokenMatches(token, header), fromQuery: false };
  const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
  if (bearer !== undefined) return { ok: tokenMatches(token, bearer), fromQuery: false };
  const cookie = readCookie(request.headers.cookie, cookieName(port));
  return { ok: tokenMatches(token, cookie), fromQuery: false };
}

function isLoopbackHost(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}` || host === `[::1]:${port}`;
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

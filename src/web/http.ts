import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GuvError } from '../errors.js';

const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:";

/**
 * `framing: 'deny'` (the dashboard, whose buttons act) also forbids any page to frame this one
 * and any form to post elsewhere; `guv ui` only shows.
 */
export type Framing = 'allow' | 'deny';

export type Send = (
  response: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  cache?: string,
) => void;

/** Sends one whole response with guv's page headers: no sniffing, no Referer, same origin only. */
export function pageSender(framing: Framing): Send {
  const deny = framing === 'deny';
  const csp = deny ? `${CSP}; frame-ancestors 'none'; form-action 'self'` : CSP;
  return (response, status, type, body, cache = 'no-store') => {
    response.writeHead(status, {
      'content-type': type,
      'content-length': Buffer.byteLength(body),
      'cache-control': cache,
      'x-content-type-options': 'nosniff',
      ...(deny ? { 'x-frame-options': 'DENY' } : {}),
      'referrer-policy': 'no-referrer',
      'content-security-policy': csp,
    });
    response.end(response.req.method === 'HEAD' ? undefined : body);
  };
}

/** Listens on host:port (0: a free one); the port and the origin a browser uses. */
export async function listenOn(
  server: Server,
  host: string,
  wanted: number,
): Promise<{ port: number; origin: string }> {
  await new Promise<void>((resolve, reject) => {
    const failed = (cause: Error) =>
      reject(
        new GuvError(
          'GUV_WEB_LISTEN_FAILED',
          `cannot listen on ${host}:${wanted}: ${cause.message}`,
          { cause },
        ),
      );
    server.once('error', failed);
    server.listen(wanted, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return { port, origin: `http://${host === '::1' ? '[::1]' : host}:${port}` };
}

/** Closes the server and every open connection (event streams never end by themselves). */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

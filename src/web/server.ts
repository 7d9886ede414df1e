import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Bus } from '../bus/index.js';
import { assertValidPattern } from '../bus/index.js';
import { GuvError } from '../errors.js';
import type { ChartRegistry } from '../inspect/registry.js';
import { createAssetCache } from './assets.js';
import { authorize, cookieName } from './auth.js';
import { serveEventStream } from './event-stream.js';
import { createGraphCache } from './graph-cache.js';
import { loadOrCreateToken } from './token.js';

export interface WebServerOptions {
  registry: ChartRegistry;
  bus: Bus;
  /** File holding the token (created with mode 0600 when missing), in the daemon's private home. */
  tokenFile?: string;
  /** The token itself (tests); one of `token` and `tokenFile` is required. */
  token?: string;
  /** Only loopback addresses are accepted. */
  host?: '127.0.0.1' | 'localhost' | '::1';
  /** 0 picks a free port. */
  port?: number;
}

export interface WebServer {
  /** The page's address with its token (`http://127.0.0.1:41234/?token=…`); set once listening. */
  readonly url: string;
  listen(): Promise<string>;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * The statechart visualiser: the page, its assets, a JSON API over the chart registry and a live
 * stream of transitions and bus events. Every request needs the token; without it: 403, nothing.
 *
 * @example
 * const web = createWebServer({ registry, bus, tokenFile: join(home, 'web-token') });
 * console.log(await web.listen()); // what `guv ui` prints
 */
export function createWebServer(options: WebServerOptions): WebServer {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) {
    throw new GuvError('GUV_WEB_NOT_LOOPBACK', `the web UI binds to loopback only, not ${host}`);
  }
  if (options.token === undefined && options.tokenFile === undefined) {
    throw new TypeError('createWebServer needs a token or a tokenFile');
  }
  const { registry, bus } = options;
  const asset = createAssetCache();
  const graphOf = createGraphCache(registry);
  const server = createServer();
  let token = options.token ?? '';
  let url = '';
  let port = 0;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestUrl = new URL(request.url ?? '/', 'http://127.0.0.1');
    const auth = authorize(request, requestUrl, token, port);
    if (!auth.ok) return send(response, 403, 'text/plain; charset=utf-8', 'forbidden\n');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return send(response, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    }
    const path = requestUrl.pathname;
    if (path === '/' && auth.fromQuery) {
      response.setHeader(
        'set-cookie',
        `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`,
      );
    }
    if (path === '/api/actors') return json(response, registry.list());
    if (path.startsWith('/api/actors/')) {
      const detail = registry.get(decodeURIComponent(path.slice('/api/actors/'.length)));
      return detail ? json(response, detail) : notFound(response);
    }
    if (path.startsWith('/api/graph/')) {
      const picture = await graphOf(decodeURIComponent(path.slice('/api/graph/'.length)));
      return picture ? json(response, picture, 'private, max-age=3600') : notFound(response);
    }
    if (path === '/api/events') {
      const pattern = requestUrl.searchParams.get('pattern') || null;
      if (pattern !== null) {
        try {
          assertValidPattern(pattern);
        } catch (error) {
          return send(response, 400, 'text/plain; charset=utf-8', `${(error as Error).message}\n`);
        }
      }
      return serveEventStream(request, response, { registry, bus, pattern });
    }
    const file = await asset(path);
    if (!file) return notFound(response);
    const cache = path === '/assets/viz.js' ? 'private, max-age=86400' : 'no-cache';
    return send(response, 200, file.type, file.body, cache);
  }

  server.on('request', (request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) {
        send(response, 500, 'text/plain; charset=utf-8', `${(error as Error)?.message ?? error}\n`);
      } else response.destroy();
    });
  });

  return {
    get url() {
      return url;
    },
    async listen() {
      if (options.token === undefined) token = await loadOrCreateToken(options.tokenFile!);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? 0, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      port = (server.address() as AddressInfo).port;
      const shown = host === '::1' ? '[::1]' : host;
      url = `http://${shown}:${port}/?token=${token}`;
      return url;
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function send(
  response: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  cache = 'no-store',
): void {
  response.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': cache,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'content-security-policy':
      "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
  });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}

function json(response: ServerResponse, value: unknown, cache = 'no-store'): void {
  send(response, 200, 'application/json; charset=utf-8', JSON.stringify(value), cache);
}

function notFound(response: ServerResponse): void {
  send(response, 404, 'text/plain; charset=utf-8', 'not found\n');
}

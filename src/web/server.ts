import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Bus } from '../bus/index.js';
import { assertValidPattern } from '../bus/index.js';
import { GuvError } from '../errors.js';
import type { ChartRegistry } from '../inspect/registry.js';
import { createAssetCache } from './assets.js';
import { bearerToken, isLoopbackHost, isSameOrigin, loginCode } from './auth.js';
import { serveEventStream } from './event-stream.js';
import { createGraphCache } from './graph-cache.js';
import { closeServer, listenOn, pageSender } from './http.js';
import { createSessions, type SessionsOptions } from './sessions.js';

export interface WebServerOptions {
  registry: ChartRegistry;
  bus: Bus;
  /** Only loopback addresses are accepted. */
  host?: '127.0.0.1' | 'localhost' | '::1';
  /** 0 picks a free port. */
  port?: number;
  /** Lifetimes and limits of login codes and sessions (tests shorten them). */
  sessions?: SessionsOptions;
}

export interface WebServer {
  /** `http://127.0.0.1:41234`; set once listening. */
  readonly origin: string;
  /** Resolves with the origin. */
  listen(): Promise<string>;
  /**
   * A link for one browser: the page, with a one-time login code in the fragment (which no
   * browser sends to any server, nor puts in a Referer). What `guv ui` prints.
   */
  loginUrl(): string;
  close(): Promise<void>;
}

const send = pageSender('allow');
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);
const TEXT = 'text/plain; charset=utf-8';

/**
 * The statechart visualiser: the page and its assets (guv's own static files, served to
 * anyone on loopback), a JSON API over the chart registry and a live stream of transitions and
 * bus events. Every API request needs a session (`Authorization: Bearer`), got once for a login
 * code from {@link WebServer.loginUrl}; without it: 401, nothing. Codes and sessions live in
 * this server's memory only: each daemon start has new ones.
 *
 * @example
 * const web = createWebServer({ registry, bus });
 * await web.listen();
 * console.log(web.loginUrl()); // http://127.0.0.1:41234/#code=…, what `guv ui` prints
 */
export function createWebServer(options: WebServerOptions): WebServer {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) {
    throw new GuvError('GUV_WEB_NOT_LOOPBACK', `the web UI binds to loopback only, not ${host}`);
  }
  const { registry, bus } = options;
  const sessions = createSessions(options.sessions);
  const asset = createAssetCache();
  const graphOf = createGraphCache(registry);
  const server = createServer();
  let origin = '';
  let port = 0;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!isLoopbackHost(request.headers.host, port)) {
      return send(response, 403, TEXT, 'forbidden\n');
    }
    const requestUrl = new URL(request.url ?? '/', 'http://127.0.0.1');
    const path = requestUrl.pathname;
    if (path === '/api/session') return signIn(request, response);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return send(response, 405, TEXT, 'method not allowed\n');
    }
    if (!path.startsWith('/api/')) {
      const file = await asset(path);
      if (!file) return notFound(response);
      const cache = path === '/assets/viz.js' ? 'private, max-age=86400' : 'no-cache';
      return send(response, 200, file.type, file.body, cache);
    }
    const session = bearerToken(request);
    if (session === null || !sessions.isSession(session)) return unauthorized(response);
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
          return send(response, 400, TEXT, `${(error as Error).message}\n`);
        }
      }
      return serveEventStream(request, response, { registry, bus, pattern });
    }
    return notFound(response);
  }

  /** `POST /api/session` with `x-guv-login: <code>`: the code's one session, or 401. */
  function signIn(request: IncomingMessage, response: ServerResponse): void {
    if (request.method !== 'POST') {
      send(response, 405, TEXT, 'method not allowed\n');
    } else if (!isSameOrigin(request)) {
      send(response, 403, TEXT, 'forbidden\n');
    } else {
      const code = loginCode(request);
      const session = code === null ? null : sessions.exchange(code);
      if (session === null) unauthorized(response);
      else json(response, { session });
    }
  }

  server.on('request', (request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) {
        send(response, 500, TEXT, `${(error as Error)?.message ?? error}\n`);
      } else response.destroy();
    });
  });

  return {
    get origin() {
      return origin;
    },
    async listen() {
      ({ port, origin } = await listenOn(server, host, options.port ?? 0));
      return origin;
    },
    loginUrl() {
      if (origin === '') throw new GuvError('GUV_WEB_NOT_LISTENING', 'the web UI is not listening');
      return `${origin}/#code=${sessions.issueCode()}`;
    },
    close() {
      return closeServer(server);
    },
  };
}

function json(response: ServerResponse, value: unknown, cache = 'no-store'): void {
  send(response, 200, 'application/json; charset=utf-8', JSON.stringify(value), cache);
}

function notFound(response: ServerResponse): void {
  send(response, 404, TEXT, 'not found\n');
}

function unauthorized(response: ServerResponse): void {
  response.setHeader('www-authenticate', 'Bearer realm="guv"');
  send(response, 401, TEXT, 'unauthorized: run guv ui for a new link\n');
}

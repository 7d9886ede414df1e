import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { GuvError } from '../errors.js';
import { isChartName } from '../graph/index.js';
import { isLoopbackHost } from '../web/auth.js';
import { createGraphCache } from '../web/graph-cache.js';
import { closeServer, listenOn } from '../web/http.js';
import { appInstallBody, PROCESS_ACTIONS } from './actions.js';
import { createDashboardAssets } from './assets.js';
import type { DashboardConfig } from './config.js';
import type { HostFactory } from './hosts.js';
import { BodyError, cookieValue, json, readJsonBody, send, text } from './http-util.js';
import { createHub, messageOf } from './hub.js';
import { verifyPassword } from './passwords.js';
import { createSessionStore, type DashboardSession } from './sessions.js';
import { openBrowserStream } from './stream.js';
import { createLoginThrottle } from './throttle.js';
import { readUsers } from './users.js';

export interface DashboardServerOptions {
  config: DashboardConfig;
  /** The users file (`guv web passwd` writes it); read at each login, so changes need no restart. */
  usersFile: string;
  connectHost: HostFactory;
  host?: '127.0.0.1' | '::1';
  /** 0 picks a free port. */
  port?: number;
  /** Polling and batching periods (tests and the bench shorten them). */
  timing?: {
    listEveryMs?: number;
    statusEveryMs?: number;
    sampleEveryMs?: number;
    flushMs?: number;
  };
}

export interface DashboardServer {
  readonly origin: string;
  listen(): Promise<string>;
  close(): Promise<void>;
  hub: ReturnType<typeof createHub>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1']);
// Only a name made of these reaches a daemon as a target.
const TARGET = /^[\w.@#:-]{1,200}$/;

/**
 * The web dashboard: pages and assets (public: guv's own files), a JSON API over every host's
 * GuvClient, and one batched event stream per open page. Every API call needs the session
 * cookie (HttpOnly, SameSite=Strict, named after this dashboard's port) AND the session's
 * CSRF token in `x-guv-csrf`, which the page got in the login answer and keeps in its tab:
 * another local service that receives the cookie (browsers send a host's cookies to all its
 * ports) cannot use it alone, and no other site can make the browser send the header.
 */
export function createDashboardServer(options: DashboardServerOptions): DashboardServer {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) {
    throw new GuvError('GUV_WEB_NOT_LOOPBACK', `the dashboard binds to loopback only, not ${host}`);
  }
  const sessions = createSessionStore({ ttlMs: options.config.sessionTtlMs });
  const throttle = createLoginThrottle();
  const asset = createDashboardAssets();
  const graphOf = createGraphCache({ machineOf: () => undefined });
  const hub = createHub({
    hosts: options.config.hosts,
    connectHost: options.connectHost,
    ...options.timing,
  });
  const server = createServer();
  let origin = '';
  let port = 0;
  let cookieName = 'guv-dashboard';

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // A page elsewhere that rebinds its DNS name to 127.0.0.1 sends its own Host: refused.
    if (!isLoopbackHost(request.headers.host, port)) return text(response, 403, 'forbidden');
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    const method = request.method ?? 'GET';
    if (!path.startsWith('/api/')) {
      if (method !== 'GET' && method !== 'HEAD') return text(response, 405, 'method not allowed');
      const file = await asset(path);
      if (!file) return text(response, 404, 'not found');
      return send(
        response,
        200,
        file.type,
        file.body,
        path === '/' ? 'no-cache' : 'private, max-age=3600',
      );
    }
    if (method !== 'GET' && !sameOrigin(request))
      return text(response, 403, 'forbidden: cross-origin');
    if (path === '/api/login' && method === 'POST') return login(request, response);
    const session = sessions.check(cookieValue(request, cookieName), header(request, 'x-guv-csrf'));
    if (session === null) return text(response, 401, 'unauthorized: log in');
    if (path === '/api/logout' && method === 'POST') {
      sessions.destroy(cookieValue(request, cookieName));
      response.setHeader('set-cookie', clearCookie());
      return json(response, { ok: true });
    }
    const body = method === 'POST' ? asObject(await readJsonBody(request)) : {};
    return route(
      method,
      path.split('/').slice(2).map(decodeURIComponent),
      url,
      body,
      session,
      request,
      response,
    );
  }

  async function route(
    method: string,
    parts: string[],
    url: URL,
    body: Record<string, unknown>,
    session: DashboardSession,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const [first, hostName, kind, id, action] = parts;
    const get = method === 'GET';
    if (get && first === 'me')
      return json(response, { user: session.user, hosts: hub.hostNames() });
    if (get && first === 'graph' && hostName && isChartName(hostName)) {
      return json(response, await graphOf(hostName));
    }
    if (get && first === 'stream') {
      const focusHost = url.searchParams.get('host');
      const focusId = url.searchParams.get('process');
      const focus =
        focusHost && focusId && hub.hostNames().includes(focusHost) && TARGET.test(focusId)
          ? { host: focusHost, id: focusId }
          : null;
      const stream = openBrowserStream(request, response, focus, {
        flushMs: options.timing?.flushMs,
      });
      // The stream ends with the session.
      const expiry = setTimeout(() => stream.end(), Math.max(0, session.expires - Date.now()));
      stream.onClose(() => clearTimeout(expiry));
      hub.attach(stream);
      return;
    }
    if (first !== 'hosts' || !hostName || !hub.hostNames().includes(hostName)) {
      return text(response, 404, 'not found');
    }
    const on = <T>(call: Parameters<typeof hub.withHost<T>>[1]) => hub.withHost(hostName, call);
    if (get && kind === undefined) return json(response, await on((c) => c.status()));
    if (kind === 'processes') {
      if (get && id === undefined) return json(response, await on((c) => c.listProcesses()));
      if (id === undefined || !TARGET.test(id)) return text(response, 404, 'not found');
      if (get && action === undefined) return json(response, await on((c) => c.info(id)));
      if (get && action === 'why') {
        const worker = url.searchParams.get('worker');
        return json(response, await on((c) => c.why(id, worker ? { worker: Number(worker) } : {})));
      }
      if (get && action === 'exceptions') return json(response, await on((c) => c.exceptions(id)));
      const act = method === 'POST' && action ? PROCESS_ACTIONS[action] : undefined;
      if (act && Object.hasOwn(PROCESS_ACTIONS, action as string)) {
        return json(response, await on((c) => act(c, id, body)));
      }
      return text(response, 404, 'not found');
    }
    if (kind === 'apps') {
      if (get && id === undefined) return json(response, await on((c) => c.listApps()));
      if (method === 'POST' && id === undefined) return installApp(hostName, body, response);
      if (id === undefined || !TARGET.test(id)) return text(response, 404, 'not found');
      if (get && action === 'refs') {
        const [refs, current] = await on((c) => Promise.all([c.listRefs(id), c.currentRef(id)]));
        return json(response, { refs, current });
      }
      if (method === 'POST' && action === 'ref') {
        const ref = body.ref;
        if (typeof ref !== 'string' || ref === '' || ref.length > 256)
          return text(response, 400, 'ref: expected a branch or tag');
        return json(
          response,
          await on((c) => c.setRef(id, ref, { onOutput: output(hostName, `ref:${id}`) })),
        );
      }
      if (method === 'POST' && action === 'update') {
        return json(
          response,
          await on((c) => c.updateRefs(id, { onOutput: output(hostName, `ref:${id}`) })),
        );
      }
      if (method === 'POST' && action === 'remove') {
        return json(response, await on((c) => c.removeApp(id, { force: body.force === true })));
      }
    }
    return text(response, 404, 'not found');
  }

  function output(hostName: string, job: string) {
    return (chunk: string) =>
      hub.broadcast({ t: 'output', host: hostName, job, chunk: chunk.slice(0, 16_384) });
  }

  async function installApp(
    hostName: string,
    body: Record<string, unknown>,
    response: ServerResponse,
  ) {
    const { url, ...rest } = appInstallBody(body);
    const job =
      typeof body.job === 'string' && /^[\w-]{1,64}$/.test(body.job) ? body.job : 'install';
    const app = await hub.withHost(hostName, (c) =>
      c.installApp(url, { ...rest, onOutput: output(hostName, job) }),
    );
    return json(response, app);
  }

  async function login(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = asObject(await readJsonBody(request));
    const user = typeof body.user === 'string' ? body.user.slice(0, 64) : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const keys = [`user:${user}`, `addr:${request.socket.remoteAddress ?? ''}`];
    if (!keys.every((key) => throttle.allowed(key))) {
      response.setHeader('retry-after', '900');
      return text(response, 429, 'too many failed logins: wait 15 minutes');
    }
    const users = await readUsers(options.usersFile);
    const stored = Object.hasOwn(users, user) ? users[user] : undefined;
    // A made-up user costs the same scrypt run as a real one: no timing tells them apart.
    const ok = await verifyPassword(password, stored ?? DUMMY_HASH);
    if (!ok || stored === undefined) {
      for (const key of keys) throttle.failed(key);
      return text(response, 401, 'wrong user or password');
    }
    for (const key of keys) throttle.succeeded(key);
    const { cookie, csrf, expires } = sessions.create(user);
    response.setHeader(
      'set-cookie',
      `${cookieName}=${cookie}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor((expires - Date.now()) / 1000)}`,
    );
    return json(response, { user, csrf, expires });
  }

  function clearCookie(): string {
    return `${cookieName}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
  }

  server.on('request', (request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      if (error instanceof BodyError) return text(response, error.status, error.message);
      if (error instanceof GuvError) {
        const status =
          error.code === 'GUV_BAD_ARGUMENT' ? 400 : error.code.endsWith('NOT_FOUND') ? 404 : 502;
        return json(response, { error: { code: error.code, message: error.message } }, status);
      }
      json(response, { error: { code: 'GUV_INTERNAL', message: messageOf(error) } }, 500);
    });
  });

  return {
    hub,
    get origin() {
      return origin;
    },
    async listen() {
      ({ port, origin } = await listenOn(server, host, options.port ?? 0));
      // Per dashboard: two dashboards on one machine (other ports) keep separate logins.
      cookieName = `guv-dashboard-${port}`;
      return origin;
    },
    async close() {
      await hub.close();
      await closeServer(server);
    },
  };
}

// A valid hash of a random password: verifying against it takes as long as a real check.
const DUMMY_HASH =
  'scrypt$32768$8$1$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

function sameOrigin(request: IncomingMessage): boolean {
  const origin = request.headers.origin;
  // Browsers send Origin on every POST; a request without one is not from a page.
  return origin === undefined || origin === `http://${request.headers.host}`;
}

function header(request: IncomingMessage, name: string): string | null {
  const value = request.headers[name];
  return typeof value === 'string' ? value : null;
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

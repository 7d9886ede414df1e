import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createWebServer, type WebServer } from '../../src/web/index.js';
import { createFleet, type Fleet } from './fleet.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Reads SSE messages until `enough` says stop. */
function readStream(
  url: string,
  headers: Record<string, string>,
  enough: (messages: { event: string; data: unknown }[]) => boolean,
): Promise<{ event: string; data: unknown }[]> {
  return new Promise((resolve, reject) => {
    const messages: { event: string; data: unknown }[] = [];
    const req = request(url, { headers }, (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) messages.push({ event, data: JSON.parse(data) });
          end = buffer.indexOf('\n\n');
        }
        if (enough(messages)) {
          req.destroy();
          resolve(messages);
        }
      });
    });
    req.on('error', (error) => {
      if (!req.destroyed) reject(error);
    });
    req.end();
  });
}

let web: WebServer | undefined;
let fleet: Fleet | undefined;

afterEach(async () => {
  await web?.close();
  fleet?.stopAll();
  web = undefined;
});

/** What the page does with a `guv ui` link: exchange its one-time code for a session. */
async function signIn(loginUrl: string, headers: Record<string, string> = {}) {
  const url = new URL(loginUrl);
  const code = new URLSearchParams(url.hash.slice(1)).get('code') ?? '';
  return get(`${url.origin}/api/session`, { 'x-guv-login': code, ...headers }, 'POST');
}

async function start(): Promise<{ base: string; auth: Record<string, string> }> {
  fleet = createFleet(3);
  fleet.run(fleet.processes[0]!);
  web = createWebServer({ registry: fleet.registry, bus: fleet.bus });
  const base = await web.listen();
  const { session } = JSON.parse((await signIn(web.loginUrl())).body);
  return { base, auth: { authorization: `Bearer ${session}` } };
}

const API = [
  '/api/actors',
  '/api/actors/app-000',
  '/api/graph/process',
  '/api/events?pattern=*',
  '/api/nothing-here',
];

describe('web server', () => {
  it('serves no data without a session: 401 for every API route', async () => {
    const { base, auth } = await start();
    for (const route of API) {
      const reply = await get(base + route);
      expect(reply.status, route).toBe(401);
      expect(reply.headers['www-authenticate'], route).toBe('Bearer realm="guv"');
    }
    const wrong = `${auth.authorization!.slice(0, -1)}${auth.authorization!.endsWith('A') ? 'B' : 'A'}`;
    expect((await get(`${base}/api/actors`, { authorization: wrong })).status).toBe(401);
    expect((await get(`${base}/api/actors`, { cookie: 'guv_token_1=nope' })).status).toBe(401);
    expect((await get(`${base}/api/actors`, auth)).status).toBe(200);
  });

  it("serves the page's own static files without a session, and nothing else from disk", async () => {
    const { base } = await start();
    for (const route of ['/', '/assets/app.js', '/assets/app.css', '/assets/viz.js']) {
      expect((await get(base + route)).status, route).toBe(200);
    }
    expect((await get(`${base}/`)).body).toContain('<script src="/assets/app.js"');
    for (const route of ['/nothing-here', '/assets/../package.json', '/index.html']) {
      expect((await get(base + route)).status, route).toBe(404);
    }
  });

  it('refuses a right session sent to a foreign Host name (DNS rebinding)', async () => {
    const { base, auth } = await start();
    const reply = await get(`${base}/api/actors`, { ...auth, host: 'evil.example:80' });
    expect(reply.status).toBe(403);
    expect((await get(`${base}/`, { host: 'evil.example:80' })).status).toBe(403);
  });

  it('exchanges a login code once, for a session that opens the API; sets no cookie', async () => {
    fleet = createFleet(1);
    web = createWebServer({ registry: fleet.registry, bus: fleet.bus });
    const base = await web.listen();
    const link = web.loginUrl();
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#code=[\w-]{43}$/);
    expect(web.loginUrl()).not.toBe(link);
    const first = await signIn(link);
    expect(first.status).toBe(200);
    expect(first.headers['set-cookie']).toBeUndefined();
    const { session } = JSON.parse(first.body);
    expect(session).toMatch(/^[\w-]{43}$/);
    expect((await signIn(link)).status).toBe(401);
    const list = await get(`${base}/api/actors`, { authorization: `Bearer ${session}` });
    expect(list.status).toBe(200);
    // Another origin's page may not sign in, even with a code it somehow has.
    const foreign = await signIn(web.loginUrl(), { origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect((await get(`${base}/api/session`, {})).status).toBe(405);
  });

  it('refuses a login code after its lifetime', async () => {
    fleet = createFleet(0);
    web = createWebServer({
      registry: fleet.registry,
      bus: fleet.bus,
      sessions: { codeTtlMs: 1 },
    });
    await web.listen();
    const link = web.loginUrl();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await signIn(link)).status).toBe(401);
  });

  it('lists actors, gives one with its history, and a chart graph with DOT', async () => {
    const { base, auth } = await start();
    const list = JSON.parse((await get(`${base}/api/actors`, auth)).body);
    expect(list).toHaveLength(3);
    expect(list[0]).toMatchObject({
      id: 'app-000',
      kind: 'process',
      state: ['running'],
      status: 'running',
    });
    const detail = JSON.parse((await get(`${base}/api/actors/app-000`, auth)).body);
    expect(detail.history.map((h: { to: string }) => h.to)).toEqual([
      'starting',
      'forked',
      'running',
    ]);
    expect(detail.history[0].cause).toMatchObject({ event: 'START', by: 'test' });
    const graph = JSON.parse((await get(`${base}/api/graph/process`, auth)).body);
    expect(graph.graph.nodes.map((n: { id: string }) => n.id)).toContain('running');
    expect(graph.dot).toContain('id="state:running"');
    expect((await get(`${base}/api/graph/nope`, auth)).status).toBe(404);
    expect((await get(`${base}/api/actors/nope`, auth)).status).toBe(404);
    const viz = await get(`${base}/assets/viz.js`, auth);
    expect(viz.status).toBe(200);
    expect(viz.body).toContain('Viz');
  });

  it('streams chart transitions and only the bus events matching the pattern', async () => {
    const { base, auth } = await start();
    const messages = readStream(`${base}/api/events?pattern=process:*`, auth, (all) =>
      all.some((m) => m.event === 'transition' && (m.data as { to: string }).to === 'stopped'),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    fleet!.bus.emit('daemon:dump');
    fleet!.processes[0]!.actor.send({ type: 'STOP', by: 'api' });
    fleet!.processes[0]!.child.exit(null, 'SIGTERM');
    const seen = await messages;
    const bus = seen.filter((m) => m.event === 'bus').map((m) => (m.data as { type: string }).type);
    expect(bus).toEqual(['process:stopping', 'process:exit', 'process:stopped']);
    const transitions = seen.filter((m) => m.event === 'transition').map((m) => m.data);
    expect(transitions).toEqual([
      expect.objectContaining({ id: 'app-000', from: 'running', to: 'stopping', event: 'STOP' }),
      expect.objectContaining({
        from: 'stopping',
        to: 'stopped',
        cause: expect.objectContaining({ signal: 'SIGTERM' }),
      }),
    ]);
  });

  it('rejects a bad pattern with 400', async () => {
    const { base, auth } = await start();
    expect((await get(`${base}/api/events?pattern=a**`, auth)).status).toBe(400);
  });

  it('refuses to bind anywhere but loopback', () => {
    fleet = createFleet(0);
    expect(() =>
      createWebServer({
        registry: fleet!.registry,
        bus: fleet!.bus,
        host: '0.0.0.0' as '::1',
      }),
    ).toThrow(/loopback/);
  });
});

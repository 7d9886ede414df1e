import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createWebServer, type WebServer } from '../../src/web/index.js';
import { createFleet, type Fleet } from './fleet.js';

const TOKEN = 'test-token-0123456789-0123456789-0123456789';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(url: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
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
const dirs: string[] = [];

afterEach(async () => {
  await web?.close();
  fleet?.stopAll();
  web = undefined;
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function start(): Promise<{ base: string; auth: Record<string, string> }> {
  fleet = createFleet(3);
  fleet.run(fleet.processes[0]!);
  web = createWebServer({ registry: fleet.registry, bus: fleet.bus, token: TOKEN });
  const url = await web.listen();
  return { base: new URL(url).origin, auth: { 'x-guv-token': TOKEN } };
}

const ROUTES = [
  '/',
  '/?token=wrong',
  '/assets/app.js',
  '/assets/app.css',
  '/assets/viz.js',
  '/api/actors',
  '/api/actors/app-000',
  '/api/graph/process',
  '/api/events?pattern=*',
  '/nothing-here',
];

describe('web server', () => {
  it('serves nothing at all without the token', async () => {
    const { base } = await start();
    for (const route of ROUTES) {
      const reply = await get(base + route);
      expect(reply.status, route).toBe(403);
      expect(reply.body, route).toBe('forbidden\n');
    }
    const wrong = await get(`${base}/api/actors`, { 'x-guv-token': `${TOKEN.slice(0, -1)}x` });
    expect(wrong.status).toBe(403);
    const cookie = await get(`${base}/api/actors`, { cookie: 'guv_token_1=nope' });
    expect(cookie.status).toBe(403);
  });

  it('refuses a right token sent to a foreign Host name (DNS rebinding)', async () => {
    const { base, auth } = await start();
    const reply = await get(`${base}/api/actors`, { ...auth, host: 'evil.example:80' });
    expect(reply.status).toBe(403);
  });

  it('gives the page a cookie for the query token, and the cookie opens the API', async () => {
    const { base } = await start();
    const page = await get(`${base}/?token=${TOKEN}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<script src="/assets/app.js"');
    const setCookie = String(page.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const cookie = setCookie.split(';')[0]!;
    const list = await get(`${base}/api/actors`, { cookie });
    expect(list.status).toBe(200);
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

  it('keeps its token in a 0600 file and reuses it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'guv-web-'));
    dirs.push(dir);
    fleet = createFleet(0);
    const tokenFile = join(dir, 'web-token');
    web = createWebServer({ registry: fleet.registry, bus: fleet.bus, tokenFile });
    const url = await web.listen();
    const token = (await readFile(tokenFile, 'utf8')).trim();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
    expect(new URL(url).searchParams.get('token')).toBe(token);
    expect(token.length).toBeGreaterThanOrEqual(40);
    expect((await stat(tokenFile)).mode & 0o777).toBe(0o600);
    await web.close();
    web = createWebServer({ registry: fleet.registry, bus: fleet.bus, tokenFile });
    expect(new URL(await web.listen()).searchParams.get('token')).toBe(token);
  });

  it('refuses to bind anywhere but loopback', () => {
    fleet = createFleet(0);
    expect(() =>
      createWebServer({
        registry: fleet!.registry,
        bus: fleet!.bus,
        token: TOKEN,
        host: '0.0.0.0' as '::1',
      }),
    ).toThrow(/loopback/);
  });
});

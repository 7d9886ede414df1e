import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type CliResult,
  cleanupHome,
  fixture,
  guv,
  makeHome,
  type TestHome,
} from '../helpers/daemon-harness.js';
import { hasChromium, launchBrowser } from '../web/browser.js';

let home: TestHome | undefined;
let spy: Server | undefined;

afterEach(async () => {
  if (spy?.listening) {
    spy.closeAllConnections();
    await new Promise((resolve) => spy!.close(resolve));
  }
  spy = undefined;
  if (home) await cleanupHome(home);
  home = undefined;
}, 60_000);

interface Reply {
  status: number;
  body: string;
}

function send(
  url: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers }, (r) => {
      let body = '';
      r.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
        // An event stream that opened: enough to know it was let in.
        if (r.statusCode === 200 && body.length > 0) req.destroy();
      });
      r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      r.on('close', () => resolve({ status: r.statusCode ?? 0, body }));
    });
    req.on('error', (error) => {
      if (!req.destroyed) reject(error);
    });
    req.end();
  });
}

function ok(result: CliResult): string {
  if (result.code !== 0) throw new Error(`guv exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}

/** What a `guv ui` link carries: its origin and the secret in it (wherever the link puts it). */
function secretOf(link: string): { origin: string; secret: string } {
  const url = new URL(link);
  const fromHash = new URLSearchParams(url.hash.slice(1));
  const secret = fromHash.get('code') ?? url.searchParams.get('token') ?? '';
  return { origin: url.origin, secret };
}

/** The page's exchange of a login code for a session; null when refused. */
async function signIn(origin: string, code: string): Promise<string | null> {
  const reply = await send(`${origin}/api/session`, {
    method: 'POST',
    headers: { 'x-guv-login': code },
  });
  if (reply.status !== 200) return null;
  return (JSON.parse(reply.body) as { session?: string }).session ?? null;
}

async function daemonWithApp(): Promise<TestHome> {
  const h = makeHome();
  ok(
    await guv(h, ['start', fixture('hello.js'), '-n', 'hello', '--env', `GUV_TEST_HOME=${h.dir}`]),
  );
  return h;
}

const API = [
  '/api/actors',
  '/api/actors/daemon',
  '/api/graph/process',
  '/api/events',
  '/api/events?pattern=*',
];

describe('finding 8: the web UI secret reaches only guv, and only for one daemon run', () => {
  it('finding 8: every API request without a valid session gets 401', async () => {
    home = await daemonWithApp();
    const { origin, secret: code } = secretOf(ok(await guv(home, ['ui'])).trim());
    for (const path of API) {
      const attempts: Record<string, string>[] = [
        {},
        { authorization: 'Bearer not-a-session-0123456789-0123456789-01234' },
        // The login code is not a session, and no secret is taken from a query or a cookie.
        { authorization: `Bearer ${code}` },
        { 'x-guv-token': code },
        { cookie: `guv_token_${new URL(origin).port}=${code}` },
      ];
      for (const headers of attempts) {
        const reply = await send(`${origin}${path}`, { headers });
        expect({ path, headers, status: reply.status }).toEqual({ path, headers, status: 401 });
      }
      const query = await send(`${origin}${path}${path.includes('?') ? '&' : '?'}token=${code}`);
      expect({ path, status: query.status }).toEqual({ path, status: 401 });
    }
    expect(await signIn(origin, 'wrong-code-0123456789-0123456789-0123456789')).toBeNull();

    const session = await signIn(origin, code);
    expect(session).toMatch(/^[\w-]{43}$/);
    for (const path of API) {
      const reply = await send(`${origin}${path}`, {
        headers: { authorization: `Bearer ${session}` },
      });
      expect({ path, status: reply.status }).toEqual({ path, status: 200 });
    }
    // A login code is good once.
    expect(await signIn(origin, code)).toBeNull();
    // The right session sent to a foreign Host name (DNS rebinding) is refused.
    const rebound = await send(`${origin}/api/actors`, {
      headers: { authorization: `Bearer ${session}`, host: 'evil.example:80' },
    });
    expect(rebound.status).toBe(403);
  }, 60_000);

  it('finding 8: the web UI secret changes at every daemon start and the old one is refused', async () => {
    home = await daemonWithApp();
    const first = secretOf(ok(await guv(home, ['ui'])).trim());
    const firstSession = await signIn(first.origin, first.secret);
    const spare = secretOf(ok(await guv(home, ['ui'])).trim());
    expect(ok(await guv(home, ['kill']))).toBe('daemon stopped\n');

    const second = secretOf(ok(await guv(home, ['ui'])).trim());
    expect(second.secret).not.toBe(first.secret);
    expect(second.secret).not.toBe(spare.secret);
    // Nothing of it is kept on disk for the next daemon to reuse.
    expect(existsSync(join(home.dir, 'config', 'web-token'))).toBe(false);

    expect(firstSession).not.toBeNull();
    const refused = await send(`${second.origin}/api/actors`, {
      headers: { authorization: `Bearer ${firstSession}` },
    });
    expect(refused.status).toBe(401);
    // A code the old daemon handed out and nobody used is refused by the new one too.
    expect(await signIn(second.origin, spare.secret)).toBeNull();
    expect(await signIn(second.origin, first.secret)).toBeNull();
    const session = await signIn(second.origin, second.secret);
    expect(session).not.toBeNull();
    const listed = await send(`${second.origin}/api/actors`, {
      headers: { authorization: `Bearer ${session}` },
    });
    expect(listed.status).toBe(200);
  }, 90_000);
});

describe.skipIf(!hasChromium)('finding 8 in a browser', () => {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('finding 8: a browser that opened guv ui sends no guv secret to another service on 127.0.0.1', async () => {
    home = await daemonWithApp();
    const link = ok(await guv(home, ['ui'])).trim();

    const seen: Array<{ url: string; headers: IncomingHttpHeaders }> = [];
    spy = createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      if (req.url === '/') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(
          '<!doctype html><img src="/pixel.png"><script>fetch("/probe", { credentials: "include" })</script>',
        );
      } else {
        res.writeHead(204);
        res.end();
      }
    });
    await new Promise<void>((resolve) => spy!.listen(0, '127.0.0.1', resolve));
    const spyPort = (spy.address() as { port: number }).port;

    const context = await browser!.newContext();
    try {
      const page = await context.newPage();
      await page.goto(link);
      await page.locator('#connection', { hasText: 'live' }).waitFor({ timeout: 20_000 });
      await expect
        .poll(() => page.locator('#actor-list li').count(), { timeout: 20_000 })
        .toBeGreaterThan(1);
      // Every secret the browser holds for guv: the link's, its storage's, its cookies'.
      const secrets = new Set<string>([secretOf(link).secret]);
      const stored = (await page.evaluate(
        'Object.values(sessionStorage).concat(Object.values(localStorage))',
      )) as string[];
      for (const value of stored) secrets.add(value);
      for (const cookie of await context.cookies()) secrets.add(cookie.value);
      for (const secret of secrets) expect(secret.length).toBeGreaterThanOrEqual(32);

      for (const host of ['127.0.0.1', 'localhost']) {
        const other = await context.newPage();
        await other.goto(`http://${host}:${spyPort}/`);
        await expect
          .poll(() => seen.filter((s) => s.url === '/probe').length)
          .toBeGreaterThanOrEqual(host === 'localhost' ? 2 : 1);
        await other.close();
      }
      expect(seen.length).toBeGreaterThanOrEqual(4);
      for (const request of seen) {
        expect(request.headers.cookie, request.url).toBeUndefined();
        expect(request.headers.authorization, request.url).toBeUndefined();
        const everything = JSON.stringify(request);
        for (const secret of secrets) expect(everything).not.toContain(secret);
      }
    } finally {
      await context.close();
    }
  }, 90_000);
});

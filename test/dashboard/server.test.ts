import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectHost } from '../../src/dashboard/hosts.js';
import { parseDashboardConfig } from '../../src/dashboard/config.js';
import { createDashboardServer, type DashboardServer } from '../../src/dashboard/server.js';
import { setPassword } from '../../src/dashboard/users.js';
import {
  cleanupHome,
  eventually,
  makeHome,
  startDaemon,
  type TestHome,
} from '../helpers/daemon-harness.js';
import { http, login } from './helpers.js';
import { join } from 'node:path';
import { statSync } from 'node:fs';

let home: TestHome;
let dashboard: DashboardServer;
let origin: string;
let usersFile: string;

beforeAll(async () => {
  home = makeHome();
  await startDaemon(home);
  usersFile = join(home.dir, 'config', 'dashboard-users.json');
  await setPassword(usersFile, 'alice', 'correct horse battery');
  const config = parseDashboardConfig(
    {
      hosts: [
        { name: 'local', home: home.dir },
        {
          name: 'far',
          host: '127.0.0.1',
          port: 1,
          user: 'ops',
          secret: 's',
          fingerprint: 'AB'.repeat(32),
        },
      ],
    },
    home.dir,
  );
  dashboard = createDashboardServer({
    config,
    usersFile,
    connectHost,
    timing: { listEveryMs: 200, statusEveryMs: 200, flushMs: 50 },
  });
  origin = await dashboard.listen();
}, 60_000);

afterAll(async () => {
  await dashboard?.close();
  await cleanupHome(home);
});

async function session(): Promise<{ cookie: string; csrf: string }> {
  const reply = await login(origin, 'alice', 'correct horse battery');
  expect(reply.status).toBe(200);
  const cookie = String(reply.headers['set-cookie']).split(';')[0]!;
  return { cookie, csrf: JSON.parse(reply.body).csrf };
}

describe('the dashboard server', () => {
  it('keeps users in a 0600 file with scrypt hashes, never the password', () => {
    expect(statSync(usersFile).mode & 0o777).toBe(0o600);
  });

  it('refuses a wrong password, and sets an HttpOnly SameSite=Strict per-dashboard cookie for the right one', async () => {
    expect((await login(origin, 'alice', 'wrong password!')).status).toBe(401);
    expect((await login(origin, 'mallory', 'correct horse battery')).status).toBe(401);
    const reply = await login(origin, 'alice', 'correct horse battery');
    expect(reply.status).toBe(200);
    const cookie = String(reply.headers['set-cookie']);
    const port = new URL(origin).port;
    expect(cookie).toMatch(
      new RegExp(
        `^guv-dashboard-${port}=[\\w-]{43}; Path=/; HttpOnly; SameSite=Strict; Max-Age=\\d+$`,
      ),
    );
    expect(reply.body).not.toContain(cookie.split(';')[0]!.split('=')[1]);
  });

  it('refuses every API request without the CSRF header, a cross-origin POST and a form POST', async () => {
    const { cookie, csrf } = await session();
    const list = await http(origin, '/api/hosts/local/processes', { headers: { cookie } });
    expect(list.status).toBe(401);
    const ok = await http(origin, '/api/hosts/local/processes', {
      headers: { cookie, 'x-guv-csrf': csrf },
    });
    expect(ok.status).toBe(200);
    const noToken = await http(origin, '/api/hosts/local/processes/guv-x/stop', {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(noToken.status).toBe(401);
    const wrongToken = await http(origin, '/api/hosts/local/processes/guv-x/stop', {
      method: 'POST',
      headers: {
        cookie,
        'x-guv-csrf': `${csrf.slice(0, -1)}${csrf.endsWith('A') ? 'B' : 'A'}`,
        'content-type': 'application/json',
      },
      body: '{}',
    });
    expect(wrongToken.status).toBe(401);
    const crossOrigin = await http(origin, '/api/hosts/local/processes/guv-x/stop', {
      method: 'POST',
      headers: {
        cookie,
        'x-guv-csrf': csrf,
        'content-type': 'application/json',
        origin: 'http://evil.example',
      },
      body: '{}',
    });
    expect(crossOrigin.status).toBe(403);
    const form = await http(origin, '/api/hosts/local/processes/guv-x/stop', {
      method: 'POST',
      headers: { cookie, 'x-guv-csrf': csrf, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=b',
    });
    expect(form.status).toBe(415);
    const rebound = await http(origin, '/api/me', {
      headers: { cookie, 'x-guv-csrf': csrf, host: 'evil.example' },
    });
    expect(rebound.status).toBe(403);
  });

  it('ends a session at logout', async () => {
    const { cookie, csrf } = await session();
    const headers = { cookie, 'x-guv-csrf': csrf };
    expect((await http(origin, '/api/me', { headers })).status).toBe(200);
    const out = await http(origin, '/api/logout', {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(out.status).toBe(200);
    expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
    expect((await http(origin, '/api/me', { headers })).status).toBe(401);
  });

  it('reaches a remote host through remote(): an unreachable one is one clear error', async () => {
    const { cookie, csrf } = await session();
    const reply = await http(origin, '/api/hosts/far/processes', {
      headers: { cookie, 'x-guv-csrf': csrf },
    });
    expect(reply.status).toBe(502);
    expect(JSON.parse(reply.body).error.code).toBe('GUV_DAEMON_UNREACHABLE');
  });

  it('subscribes to a host only while a page is open', async () => {
    const { cookie, csrf } = await session();
    expect(dashboard.hub.subscribed('local')).toBe(false);
    const controller = new AbortController();
    const response = await fetch(`${origin}/api/stream`, {
      headers: { cookie, 'x-guv-csrf': csrf },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    let seen = '';
    await eventually(async () => {
      seen += new TextDecoder().decode((await reader.read()).value);
      return seen.includes('"t":"list"');
    }, 'a process list on the stream');
    await eventually(() => dashboard.hub.subscribed('local'), 'the host subscribed');
    controller.abort();
    await eventually(
      () => !dashboard.hub.subscribed('local'),
      'the host unsubscribed once the page closed',
    );
  });

  it('throttles logins: after 5 failures even the right password is refused for a while', async () => {
    for (let i = 0; i < 5; i++)
      expect((await login(origin, 'alice', `wrong ${i} password`)).status).toBe(401);
    const blocked = await login(origin, 'alice', 'correct horse battery');
    expect(blocked.status).toBe(429);
  });
});

import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GuvClient } from '../../src/client/api.js';
import { remote } from '../../src/index.js';
import { openRemoteConnection } from '../../src/remote/remote-client.js';
import { newNonce, signRequest } from '../../src/remote/signing.js';
import {
  cleanupHome,
  fixture,
  guv,
  makeHome,
  recordEvents,
  startDaemon,
  startTracked,
  type TestHome,
  writeDaemonConfig,
} from '../helpers/daemon-harness.js';

interface Access {
  host: string;
  port: number;
  user: string;
  secret: string;
  fingerprint: string;
}

let home: TestHome;
let local: GuvClient;
let admin: Access;
let viewer: Access;
const remotes: GuvClient[] = [];

async function remoteAs(access: Access): Promise<GuvClient> {
  const client = await remote({ ...access, timeoutMs: 30_000 });
  remotes.push(client);
  return client;
}

/** A TLS connection that writes frames as given, for requests the client would never send. */
async function rawTls(port: number) {
  const socket: TLSSocket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', () => resolve());
    socket.once('error', reject);
    socket.once('close', () => reject(new Error('closed before the handshake')));
  });
  let buffered = '';
  const replies = new Map<number, { error?: { code: string } }>();
  const waiters: (() => void)[] = [];
  socket.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    let newline = buffered.indexOf('\n');
    while (newline !== -1) {
      const frame = JSON.parse(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
      if (typeof frame.id === 'number') replies.set(frame.id, frame);
      newline = buffered.indexOf('\n');
    }
    for (const wake of waiters.splice(0)) wake();
  });
  return {
    socket,
    async send(line: string, id: number) {
      socket.write(`${line}\n`);
      const deadline = Date.now() + 20_000;
      while (!replies.has(id)) {
        if (Date.now() > deadline) throw new Error(`no reply to request ${id}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 500);
        });
      }
      return replies.get(id)!;
    },
    close: () => socket.destroy(),
  };
}

function signedLine(
  id: number,
  access: Access,
  method: string,
  params: unknown,
  overrides: { ts?: number; sentParams?: unknown } = {},
) {
  const auth = signRequest(access, method, params, overrides.ts ?? Date.now(), newNonce());
  const sent = 'sentParams' in overrides ? overrides.sentParams : params;
  return JSON.stringify({ id, method, params: sent, auth });
}

beforeAll(async () => {
  home = makeHome();
  writeDaemonConfig(home, { remote: { enabled: true, port: 0 } });
  local = await startDaemon(home);
  await local.request('addUser', { name: 'ops' });
  await local.request('addUser', { name: 'viewer', role: 'read-only' });
  const config = async (name: string) => {
    const reply = await local.request('remoteConfig', { name });
    expect(reply.listener.state).toBe('listening');
    return {
      host: reply.host,
      port: reply.port,
      user: reply.user!,
      secret: reply.secret!,
      fingerprint: reply.fingerprint,
    };
  };
  admin = await config('ops');
  viewer = await config('viewer');
}, 60_000);

afterAll(async () => {
  for (const client of remotes) await client.disconnect().catch(() => {});
  if (home) await cleanupHome(home);
}, 60_000);

describe('remote RPC over TLS', () => {
  it('works with the right secret: list, start, and events through a wildcard', async () => {
    expect(admin.host).toBe('127.0.0.1');
    expect(admin.port).toBeGreaterThan(0);
    const client = await remoteAs(admin);
    const events = await recordEvents(client, 'process:*');
    await startTracked(client, home, fixture('hello.js'), { name: 'over-tls' });
    await events.waitFor(
      (e) => e.type === 'process:started' && (e.args[0] as { name: string }).name === 'over-tls',
      'process:started of over-tls',
    );
    const names = (await client.listProcesses()).map((p) => p.name);
    expect(names).toContain('over-tls');
  }, 60_000);

  it('refuses a wrong secret and an unknown user alike', async () => {
    const wrong = await remoteAs({ ...admin, secret: 'x'.repeat(43) });
    const wrongError = await wrong.listProcesses().catch((error) => error);
    expect(wrongError.code).toBe('GUV_REMOTE_AUTH_FAILED');
    const nobody = await remoteAs({ ...admin, user: 'nobody' });
    const nobodyError = await nobody.listProcesses().catch((error) => error);
    expect(nobodyError.code).toBe('GUV_REMOTE_AUTH_FAILED');
    expect(nobodyError.message).toBe(wrongError.message);
  }, 60_000);

  it('refuses a tampered body (params changed after signing)', async () => {
    const raw = await rawTls(admin.port);
    try {
      const good = await raw.send(signedLine(1, admin, 'info', { target: 'over-tls' }), 1);
      expect(good.error).toBeUndefined();
      const line = signedLine(
        2,
        admin,
        'stop',
        { target: 'nothing-here' },
        {
          sentParams: { target: 'over-tls' },
        },
      );
      expect((await raw.send(line, 2)).error?.code).toBe('GUV_REMOTE_AUTH_FAILED');
    } finally {
      raw.close();
    }
  }, 60_000);

  it('refuses a replayed request (same nonce)', async () => {
    const raw = await rawTls(admin.port);
    try {
      const line = signedLine(1, admin, 'list', null);
      expect((await raw.send(line, 1)).error).toBeUndefined();
      const again = await rawTls(admin.port);
      try {
        expect((await again.send(line, 1)).error?.code).toBe('GUV_REMOTE_REPLAYED');
      } finally {
        again.close();
      }
    } finally {
      raw.close();
    }
  }, 60_000);

  it('refuses an expired timestamp', async () => {
    const raw = await rawTls(admin.port);
    try {
      const line = signedLine(1, admin, 'list', null, { ts: Date.now() - 5 * 60_000 });
      expect((await raw.send(line, 1)).error?.code).toBe('GUV_REMOTE_STALE_REQUEST');
    } finally {
      raw.close();
    }
  }, 60_000);

  it('refuses an unsigned request', async () => {
    const raw = await rawTls(admin.port);
    try {
      const reply = await raw.send(JSON.stringify({ id: 1, method: 'list', params: null }), 1);
      expect(reply.error?.code).toBe('GUV_REMOTE_AUTH_FAILED');
    } finally {
      raw.close();
    }
  }, 60_000);

  it('the client refuses a daemon whose certificate is not the pinned one', async () => {
    const error = await remote({ ...admin, fingerprint: 'AB:'.repeat(31) + 'AB' }).catch((e) => e);
    expect(error.code).toBe('GUV_REMOTE_FINGERPRINT_MISMATCH');
  }, 60_000);

  it('a read-only user may list but not stop', async () => {
    const client = await remoteAs(viewer);
    expect((await client.listProcesses()).map((p) => p.name)).toContain('over-tls');
    const error = await client.request('stop', { target: 'over-tls' }).catch((e) => e);
    expect(error.code).toBe('GUV_REMOTE_FORBIDDEN');
    const [still] = (await local.listProcesses()).filter((p) => p.name === 'over-tls');
    expect(still?.status).toBe('running');
  }, 60_000);

  it('user management is refused over TLS, even to an admin', async () => {
    const client = await remoteAs(admin);
    for (const [method, params] of [
      ['addUser', { name: 'intruder' }],
      ['listUsers', undefined],
      ['resetUser', { name: 'ops' }],
      ['removeUser', { name: 'viewer' }],
      ['remoteConfig', { name: 'ops' }],
    ] as const) {
      const error = (await client
        .requestUnchecked(method, params)
        .catch((e: { code: string }) => e)) as { code: string };
      expect(error.code, method).toBe('GUV_REMOTE_FORBIDDEN');
    }
    expect((await local.request('listUsers')).map((u) => u.name).sort()).toEqual(['ops', 'viewer']);
  }, 60_000);

  it('refuses TLS 1.1', async () => {
    const error = await new Promise<Error | null>((resolve) => {
      const socket = tlsConnect({
        host: '127.0.0.1',
        port: admin.port,
        rejectUnauthorized: false,
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1.1',
        ciphers: 'DEFAULT@SECLEVEL=0',
      });
      socket.once('secureConnect', () => {
        socket.destroy();
        resolve(null);
      });
      socket.once('error', (e) => resolve(e));
    });
    expect(error).not.toBeNull();
  }, 60_000);

  it('a removed user’s open connection is closed, subscriptions with it', async () => {
    await local.request('addUser', { name: 'leaver', role: 'read-only' });
    const access = await local.request('remoteConfig', { name: 'leaver' });
    const connection = await openRemoteConnection({
      ...admin,
      user: 'leaver',
      secret: access.secret!,
    });
    try {
      const closed = new Promise<{ code: string }>((resolve) => connection.onClose(resolve));
      await connection.subscribe('process:*', () => {});
      await local.request('removeUser', { name: 'leaver' });
      expect((await closed).code).toBe('GUV_DAEMON_GONE');
    } finally {
      connection.close();
    }
  }, 60_000);

  it('closes a connection that sends no authenticated request within 10 s', async () => {
    const raw = await rawTls(admin.port);
    const closed = new Promise<void>((resolve) => raw.socket.once('close', () => resolve()));
    const started = Date.now();
    await closed;
    expect(Date.now() - started).toBeLessThan(40_000);
  }, 60_000);

  it('closes a connection after five refused requests', async () => {
    const raw = await rawTls(admin.port);
    const closed = new Promise<void>((resolve) => raw.socket.once('close', () => resolve()));
    for (let id = 1; id <= 5; id++) {
      const reply = await raw.send(
        signedLine(id, { ...admin, secret: 'y'.repeat(43) }, 'list', null),
        id,
      );
      expect(reply.error?.code).toBe('GUV_REMOTE_AUTH_FAILED');
    }
    await closed;
  }, 60_000);

  it('applies the local socket’s frame cap before authentication', async () => {
    const raw = await rawTls(admin.port);
    const closed = new Promise<void>((resolve) => raw.socket.once('close', () => resolve()));
    raw.socket.write('x'.repeat(2 * 1024 * 1024));
    await closed;
  }, 60_000);

  it('keeps the users file private (0600)', () => {
    const mode = statSync(join(home.dir, 'config', 'users.json')).mode & 0o777;
    expect(mode.toString(8)).toBe('600');
  });
});

describe('the CLI: user management, remoteconfig and --host (GUV_HOST)', () => {
  let clientHome: TestHome;

  beforeAll(() => {
    clientHome = makeHome();
    mkdirSync(join(clientHome.dir, 'config'), { recursive: true, mode: 0o700 });
  });

  afterAll(async () => {
    if (clientHome) await cleanupHome(clientHome);
  }, 60_000);

  const viaHost = (args: string[]) =>
    guv({ ...clientHome, env: { ...clientHome.env, GUV_HOST: 'box' } }, args);

  it('useradd, lsusers, remoteconfig --json, then commands run on the remote host', async () => {
    const added = await guv(home, ['useradd', 'cli-viewer', '--read-only']);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/secret: [A-Za-z0-9_-]{43}/);
    const listed = await guv(home, ['lsusers']);
    expect(listed.stdout).toMatch(/cli-viewer\s+read-only/);
    expect(listed.stdout).not.toContain('secret');
    const printed = await guv(home, ['remoteconfig', 'cli-viewer', '--json']);
    expect(printed.code).toBe(0);
    const entry = JSON.parse(printed.stdout);
    expect(Object.keys(entry).sort()).toEqual(['fingerprint', 'host', 'port', 'secret', 'user']);

    const hostsFile = join(clientHome.dir, 'config', 'hosts.json');
    writeFileSync(hostsFile, JSON.stringify({ box: entry }), { mode: 0o600 });
    const list = await viaHost(['list', '--json']);
    expect(list.stderr).toBe('');
    expect(JSON.parse(list.stdout).map((p: { name: string }) => p.name)).toContain('over-tls');
    // A remote host is never started locally: the client's home has no daemon.
    expect(existsSync(clientHome.pidFile)).toBe(false);

    const stop = await viaHost(['stop', 'over-tls']);
    expect(stop.code).toBe(1);
    expect(stop.stderr).toContain('read-only');
    const useradd = await viaHost(['useradd', 'intruder']);
    expect(useradd.code).toBe(1);
    expect(useradd.stderr).toContain('only served locally');

    const logs = await viaHost(['logs']);
    expect(logs.code).toBe(2);
    expect(logs.stderr).toContain('remote host');

    chmodSync(hostsFile, 0o644);
    const loose = await viaHost(['list']);
    expect(loose.code).toBe(1);
    expect(loose.stderr).toContain('chmod 600');
    chmodSync(hostsFile, 0o600);

    const reset = await guv(home, ['reset', 'cli-viewer']);
    expect(reset.code).toBe(0);
    const stale = await viaHost(['list']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('authentication failed');

    expect((await guv(home, ['rmuser', 'cli-viewer'])).code).toBe(0);
    expect((await guv(home, ['lsusers', '--json'])).stdout).not.toContain('cli-viewer');
  }, 120_000);
});

describe('the connection cap (guv.json remote.maxConnections)', () => {
  let capped: TestHome;

  afterAll(async () => {
    if (capped) await cleanupHome(capped);
  }, 60_000);

  it('refuses a connection beyond the cap', async () => {
    capped = makeHome();
    writeDaemonConfig(capped, { remote: { enabled: true, port: 0, maxConnections: 2 } });
    const client = await startDaemon(capped);
    const { port } = await client.request('remoteConfig', {});
    const open = [await rawTls(port), await rawTls(port)];
    try {
      const third = await rawTls(port).then(
        (raw) => {
          raw.close();
          return 'connected';
        },
        () => 'refused',
      );
      expect(third).toBe('refused');
    } finally {
      for (const raw of open) raw.close();
    }
  }, 60_000);
});

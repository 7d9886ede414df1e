import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDaemonConfig } from '../../src/daemon/daemon-config.js';
import { readHost } from '../../src/remote/hosts-file.js';
import { createUserStore } from '../../src/remote/user-store.js';
import { parseUsers, readUsers } from '../../src/remote/users-file.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync('/tmp/guv-remote-');
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('guv.json remote settings', () => {
  it('are off by default and bind loopback', () => {
    const { remote } = parseDaemonConfig({});
    expect(remote.enabled).toBe(false);
    expect(remote.host).toBe('127.0.0.1');
  });

  it('refuse a host that is not an IP address, a lone cert, or an unknown key', () => {
    for (const remote of [
      { host: 'example.com' },
      { cert: '/etc/cert.pem' },
      { cert: 'relative.pem', key: 'relative.key' },
      { port: 70_000 },
      { enable: true },
    ]) {
      expect(() => parseDaemonConfig({ remote }), JSON.stringify(remote)).toThrow(
        expect.objectContaining({ code: 'GUV_CONFIG_INVALID' }),
      );
    }
  });
});

describe('the users file', () => {
  it('is written 0600 and read back; names are validated', async () => {
    const file = join(tempDir(), 'users.json');
    const users = createUserStore(file);
    await users.load();
    const ops = await users.add('ops', 'admin');
    expect(ops.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await readUsers(file)).toEqual([ops]);
    await expect(users.add('ops', 'admin')).rejects.toMatchObject({
      code: 'GUV_REMOTE_USER_EXISTS',
    });
    const reset = await users.reset('ops');
    expect(reset.secret).not.toBe(ops.secret);
    await expect(users.remove('nobody')).rejects.toMatchObject({
      code: 'GUV_REMOTE_USER_NOT_FOUND',
    });
  });

  it('is refused when others may read it, or when it is malformed', async () => {
    const file = join(tempDir(), 'users.json');
    writeFileSync(file, JSON.stringify({ users: [] }), { mode: 0o644 });
    chmodSync(file, 0o644);
    await expect(readUsers(file)).rejects.toMatchObject({ code: 'GUV_REMOTE_USERS_INVALID' });
    expect(() => parseUsers('{"users":[{"name":"../x","role":"admin"}]}', file)).toThrow(
      expect.objectContaining({ code: 'GUV_REMOTE_USERS_INVALID' }),
    );
    const store = createUserStore(file);
    await expect(store.load()).rejects.toMatchObject({ code: 'GUV_REMOTE_USERS_INVALID' });
    // A file it could not read is never overwritten.
    await expect(store.add('ops', 'admin')).rejects.toMatchObject({
      code: 'GUV_REMOTE_USERS_INVALID',
    });
  });
});

describe('the hosts file', () => {
  const entry = {
    host: '10.0.0.5',
    port: 57475,
    user: 'ops',
    secret: 's'.repeat(43),
    fingerprint: 'AB:'.repeat(31) + 'AB',
  };

  it('gives a host by name, and says when there is none', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'hosts.json'), JSON.stringify({ web1: entry }), { mode: 0o600 });
    expect(await readHost(dir, 'web1')).toEqual(entry);
    await expect(readHost(dir, 'web2')).rejects.toMatchObject({ code: 'GUV_HOST_NOT_FOUND' });
    await expect(readHost(dir, '__proto__')).rejects.toMatchObject({ code: 'GUV_HOST_NOT_FOUND' });
  });

  it('is refused when others may read it, or an entry is malformed', async () => {
    const dir = tempDir();
    const file = join(dir, 'hosts.json');
    writeFileSync(file, JSON.stringify({ web1: entry }), { mode: 0o600 });
    chmodSync(file, 0o640);
    await expect(readHost(dir, 'web1')).rejects.toMatchObject({ code: 'GUV_HOSTS_FILE_INVALID' });
    chmodSync(file, 0o600);
    writeFileSync(file, JSON.stringify({ web1: { ...entry, port: 'x' } }));
    await expect(readHost(dir, 'web1')).rejects.toMatchObject({ code: 'GUV_HOSTS_FILE_INVALID' });
  });
});

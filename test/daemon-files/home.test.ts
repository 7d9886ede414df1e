import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_SOCKET_PATH_BYTES, ensureHome, resolveHome } from '../../src/protocol/home.js';

describe('resolveHome', () => {
  it('uses system paths for root', () => {
    const home = resolveHome({ HOME: '/root' }, 0);
    expect(home).toMatchObject({
      config: '/etc/guvnor',
      runtime: '/var/run/guvnor',
      logs: '/var/log/guvnor',
      apps: '/var/lib/guvnor/apps',
      state: '/var/lib/guvnor',
      socket: '/var/run/guvnor/guv.sock',
      pidFile: '/var/run/guvnor/guv.pid',
      daemonLog: '/var/log/guvnor/daemon.log',
      processesFile: '/var/lib/guvnor/processes.json',
    });
  });

  it('uses the XDG directories for other users', () => {
    const home = resolveHome(
      {
        HOME: '/home/ada',
        XDG_CONFIG_HOME: '/home/ada/cfg',
        XDG_RUNTIME_DIR: '/run/user/1000',
        XDG_STATE_HOME: '/home/ada/st',
        XDG_DATA_HOME: '/home/ada/data',
      },
      1000,
    );
    expect(home).toMatchObject({
      config: '/home/ada/cfg/guv',
      runtime: '/run/user/1000/guv',
      socket: '/run/user/1000/guv/guv.sock',
      logs: '/home/ada/st/guv/logs',
      state: '/home/ada/st/guv',
      apps: '/home/ada/data/guv/apps',
    });
  });

  it('falls back to the XDG defaults under HOME, the runtime folder under the state folder', () => {
    const home = resolveHome({ HOME: '/home/ada' }, 1000);
    expect(home).toMatchObject({
      config: '/home/ada/.config/guv',
      runtime: '/home/ada/.local/state/guv/run',
      logs: '/home/ada/.local/state/guv/logs',
      apps: '/home/ada/.local/share/guv/apps',
    });
  });

  it('ignores relative XDG values, as the spec says', () => {
    const home = resolveHome({ HOME: '/home/ada', XDG_CONFIG_HOME: 'cfg' }, 1000);
    expect(home.config).toBe('/home/ada/.config/guv');
  });

  it('puts everything under GUV_HOME, even for root', () => {
    const home = resolveHome({ GUV_HOME: '/srv/guv', HOME: '/root' }, 0);
    for (const path of Object.values(home)) expect(path.startsWith('/srv/guv/')).toBe(true);
    expect(home.socket).toBe('/srv/guv/run/guv.sock');
  });

  it('moves the socket of a deep home to a short private folder, the same one every time', () => {
    const deep = `/tmp/${'very-deep-folder/'.repeat(8)}home`;
    const home = resolveHome({ GUV_HOME: deep }, 1000);
    expect(Buffer.byteLength(home.socket)).toBeLessThan(MAX_SOCKET_PATH_BYTES);
    expect(home.socketDir).toMatch(/guv-1000-[0-9a-z]+$/);
    expect(home.pidFile.startsWith(deep)).toBe(true);
    expect(resolveHome({ GUV_HOME: deep }, 1000).socket).toBe(home.socket);
    expect(resolveHome({ GUV_HOME: `${deep}2` }, 1000).socket).not.toBe(home.socket);
  });
});

describe('ensureHome', () => {
  const made: string[] = [];
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('creates every folder with mode 0700', () => {
    const root = mkdtempSync(join(tmpdir(), 'guv-home-'));
    made.push(root);
    const home = resolveHome({ GUV_HOME: join(root, 'h') });
    ensureHome(home);
    for (const dir of [home.config, home.runtime, home.logs, home.apps, home.state]) {
      expect(statSync(dir).mode & 0o777).toBe(0o700);
    }
  });

  it('creates the short socket folder of a deep home privately', () => {
    const root = mkdtempSync(join(tmpdir(), 'guv-home-'));
    made.push(root);
    const home = resolveHome({ GUV_HOME: join(root, 'x'.repeat(60), 'y'.repeat(40)) });
    made.push(home.socketDir);
    ensureHome(home);
    expect(statSync(home.socketDir).mode & 0o777).toBe(0o700);
  });
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveHome } from '../../src/protocol/home.js';
import { lingerNote, planStartup, type StartupInput } from '../../src/startup/plan.js';
import { systemdWord } from '../../src/startup/systemd-quote.js';
import { renderUnit } from '../../src/startup/unit.js';
import { daemonMain } from '../helpers/daemon-harness.js';

const rootInput: StartupInput = {
  uid: 0,
  userName: 'root',
  env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/root' },
  execPath: '/usr/bin/node',
  daemonEntry: '/opt/guv/dist/daemon/start.cjs',
  home: resolveHome({}, 0),
  requestTimeoutMs: 60_000,
};

const userEnv = { PATH: '/usr/bin:/bin', HOME: '/home/alice', XDG_STATE_HOME: '/srv/alice/state' };
const userInput: StartupInput = {
  ...rootInput,
  uid: 1000,
  userName: 'alice',
  env: userEnv,
  home: resolveHome(userEnv, 1000),
};

const lines = (text: string) => text.split('\n');

describe('guv startup: the systemd unit text (issue 16, boot)', () => {
  it('root gets a system unit: User=root, absolute ExecStart in the foreground with --boot, the home, Restart=on-failure, KillMode=mixed', () => {
    const plan = planStartup(rootInput);
    const text = renderUnit(plan);
    expect(plan.unitPath).toBe('/etc/systemd/system/guv.service');
    expect(lines(text)).toEqual(
      expect.arrayContaining([
        '# user: root (uid 0)',
        '# home: config /etc/guvnor, state /var/lib/guvnor, logs /var/log/guvnor',
        'Type=simple',
        'User=root',
        'Environment=PATH=/usr/local/bin:/usr/bin:/bin',
        'WorkingDirectory=-/var/lib/guvnor',
        'ExecStart=/usr/bin/node /opt/guv/dist/daemon/start.cjs --boot',
        'Restart=on-failure',
        'RestartPreventExitStatus=75',
        'KillMode=mixed',
        // Twice the request timeout (the daemon's own stop deadline), and some.
        'TimeoutStopSec=150',
        'WantedBy=multi-user.target',
        'After=network-online.target',
      ]),
    );
    expect(lingerNote(plan)).toBeNull();
  });

  it('anybody else gets a user unit (no User=, default.target, their XDG folders pinned) and the lingering note', () => {
    const plan = planStartup(userInput);
    const text = renderUnit(plan);
    expect(plan.scope).toBe('user');
    expect(plan.unitPath).toBe('/home/alice/.config/systemd/user/guv.service');
    expect(text).not.toMatch(/^User=/m);
    expect(text).not.toContain('network-online.target');
    expect(lines(text)).toEqual(
      expect.arrayContaining([
        '# user: alice (uid 1000)',
        '# home: config /home/alice/.config/guv, state /srv/alice/state/guv, logs /srv/alice/state/guv/logs',
        'Environment=XDG_STATE_HOME=/srv/alice/state',
        'WantedBy=default.target',
      ]),
    );
    expect(lingerNote(plan)).toBe(
      'a user unit runs at boot only with lingering: sudo loginctl enable-linger alice',
    );
  });

  it('GUV_HOME is pinned for the boot start, as an absolute path', () => {
    const env = { ...rootInput.env, GUV_HOME: '/srv/guv' };
    const text = renderUnit(planStartup({ ...rootInput, env, home: resolveHome(env, 0) }));
    expect(text).toContain('Environment=GUV_HOME=/srv/guv\n');
    expect(text).toContain('WorkingDirectory=-/srv/guv/state\n');
  });

  it('quotes what systemd would read otherwise: spaces, quotes, % specifiers, $ in ExecStart; refuses line breaks and relative paths', () => {
    expect(systemdWord('/opt/my app/node', 'node', 'exec')).toBe('"/opt/my app/node"');
    expect(systemdWord('/opt/a%b/$x', 'node', 'exec')).toBe('"/opt/a%%b/$$x"');
    expect(systemdWord('A=1 "2" \\', 'env')).toBe('"A=1 \\"2\\" \\\\"');
    expect(systemdWord('A=$x', 'env')).toBe('"A=$x"');
    expect(() => systemdWord('/a\nExecStartPre=/bin/evil', 'node')).toThrow(/line break/);
    expect(() => planStartup({ ...rootInput, execPath: 'node' })).toThrow(/absolute/);
  });

  const analyze = spawnSync('systemd-analyze', ['--version']).status === 0;
  // systemd-analyze is part of systemd; machines without it (macOS, Alpine) cannot check units.
  it.skipIf(!analyze)('systemd-analyze verify accepts the unit, with no warning', () => {
    const dir = mkdtempSync('/tmp/guv-unit-');
    try {
      const env = { ...rootInput.env, GUV_HOME: dir };
      const unit = renderUnit(
        planStartup({
          ...rootInput,
          env,
          home: resolveHome(env, 0),
          execPath: process.execPath,
          daemonEntry: daemonMain,
        }),
      );
      const file = join(dir, 'guv.service');
      writeFileSync(file, unit);
      const verified = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
      expect({ status: verified.status, stderr: verified.stderr }).toEqual({
        status: 0,
        stderr: '',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

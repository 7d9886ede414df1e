import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ensureHome, resolveHome } from '../../src/protocol/home.js';
import { cleanupHome, guv, makeHome, type TestHome } from '../helpers/daemon-harness.js';
import { createThrowawayUser, rootIt, runAs, type ThrowawayUser } from './helpers.js';

const homes: TestHome[] = [];
const dirs: string[] = [];
const users: ThrowawayUser[] = [];

afterEach(async () => {
  for (const home of homes.splice(0)) await cleanupHome(home);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
afterAll(() => {
  for (const user of users.splice(0)) user.remove();
});

/** A folder for the attacker's script and for the file root must never write to. */
function scene(user: ThrowawayUser) {
  const base = mkdtempSync('/tmp/guvh-scene-');
  dirs.push(base);
  chmodSync(base, 0o755);
  const evil = join(base, 'evil');
  mkdirSync(evil, { mode: 0o777 });
  chmodSync(evil, 0o777);
  const marker = join(evil, 'ran-as');
  const script = join(evil, 'evil.js');
  writeFileSync(
    script,
    `require('fs').writeFileSync(${JSON.stringify(marker)}, String(process.getuid()));\n`,
  );
  chmodSync(script, 0o755);
  const target = join(base, 'precious');
  writeFileSync(target, 'precious\n', { mode: 0o644 });
  return { base, script, marker, target, gid: user.gid };
}

/** As `user`: plant a saved process list, a config and a daemon.log symlink under `dir`. */
function plant(user: ThrowawayUser, dir: string, s: ReturnType<typeof scene>): void {
  const saved = {
    version: 1,
    cleanShutdown: true,
    processes: [
      {
        definition: {
          id: 'planted001',
          name: 'planted',
          spec: {
            script: s.script,
            args: [],
            execArgv: [],
            interpreter: 'node',
            cwd: '/',
            env: { PATH: '/usr/bin:/bin' },
            user: null,
            group: null,
            appReadiness: false,
          },
          instances: null,
          policy: {},
          timeouts: {},
          app: null,
        },
        desired: 'running',
        pid: null,
        pidStartTime: null,
        restarts: 0,
      },
    ],
  };
  const code = `
    const fs = require('fs'); const path = require('path');
    const dir = ${JSON.stringify(dir)};
    for (const sub of ['state', 'config', 'logs']) fs.mkdirSync(path.join(dir, sub), { mode: 0o777 });
    fs.writeFileSync(path.join(dir, 'state/processes.json'), ${JSON.stringify(JSON.stringify(saved))});
    fs.writeFileSync(path.join(dir, 'config/guv.json'), JSON.stringify({ socketGroup: ${s.gid} }));
    fs.symlinkSync(${JSON.stringify(s.target)}, path.join(dir, 'logs/daemon.log'));
  `;
  const result = runAs(user, process.execPath, ['-e', code]);
  expect(result.status, result.stderr).toBe(0);
}

async function settle(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Nothing of the attacker's ran, wrote, or got the socket. */
function expectNothingOfTheirs(home: TestHome, s: ReturnType<typeof scene>): void {
  expect(
    existsSync(s.marker),
    `their script ran as uid ${existsSync(s.marker) ? readFileSync(s.marker, 'utf8') : ''}`,
  ).toBe(false);
  expect(readFileSync(s.target, 'utf8')).toBe('precious\n');
  const socket = join(home.dir, 'run/guv.sock');
  if (existsSync(socket)) {
    const info = lstatSync(socket);
    const groupCanUse = info.gid === s.gid && (info.mode & 0o060) !== 0;
    expect(groupCanUse, 'their group may use the socket').toBe(false);
  }
}

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^guv: /);
  expect(stderr).not.toMatch(/\bat .*:\d+:\d+/);
  return lines[0]!;
}

describe('a GUV_HOME that someone else could write to', () => {
  rootIt(
    'finding 2: a mode-1777 GUV_HOME with a planted process list, config and daemon.log symlink is refused in one line',
    async () => {
      const user = createThrowawayUser('h');
      users.push(user);
      const s = scene(user);
      const home = makeHome();
      homes.push(home);
      chmodSync(home.dir, 0o1777);
      plant(user, home.dir, s);

      const result = await guv(home, ['list'], { timeoutMs: 60_000 });
      // Give a daemon that did start the time to restore (and run) the planted process.
      await settle(3000);

      expectNothingOfTheirs(home, s);
      expect(result.code).not.toBe(0);
      const line = oneLine(result.stderr);
      expect(line).toContain(home.dir);
      expect(line).toMatch(/chmod|GUV_HOME/);
    },
    120_000,
  );

  rootIt(
    'finding 2: folders planted by another user while GUV_HOME was open stay refused after it is closed',
    async () => {
      const user = createThrowawayUser('h');
      users.push(user);
      const s = scene(user);
      const home = makeHome();
      homes.push(home);
      chmodSync(home.dir, 0o1777);
      plant(user, home.dir, s);
      chmodSync(home.dir, 0o755);

      const result = await guv(home, ['list'], { timeoutMs: 60_000 });
      await settle(3000);

      expectNothingOfTheirs(home, s);
      expect(result.code).not.toBe(0);
      const line = oneLine(result.stderr);
      // The first planted folder guv uses, named with what to do about it.
      expect(line).toMatch(new RegExp(`${home.dir}/(config|logs|state)\\b`));
      expect(line).toMatch(/remove|GUV_HOME/);
    },
    120_000,
  );

  it('finding 2: daemon.log is never opened through a symlink, even in a private home', async () => {
    const home = makeHome();
    homes.push(home);
    const base = mkdtempSync('/tmp/guvh-target-');
    dirs.push(base);
    const target = join(base, 'precious');
    writeFileSync(target, 'precious\n');
    mkdirSync(join(home.dir, 'logs'), { mode: 0o700 });
    symlinkSync(target, home.daemonLog);

    const result = await guv(home, ['list'], { timeoutMs: 60_000 });

    expect(readFileSync(target, 'utf8')).toBe('precious\n');
    expect(result.code).not.toBe(0);
    expect(oneLine(result.stderr)).toContain(home.daemonLog);
  }, 60_000);

  it('finding 2: ensureHome refuses a group-writable folder, naming it and the fix', () => {
    const dir = mkdtempSync('/tmp/guvh-unit-');
    dirs.push(dir);
    const home = resolveHome({ GUV_HOME: dir });
    mkdirSync(home.state, { mode: 0o700 });
    chmodSync(home.state, 0o770);
    expect(() => ensureHome(home)).toThrow(
      expect.objectContaining({
        code: 'GUV_HOME_UNSAFE',
        message: expect.stringContaining(`chmod go-w ${home.state}`),
      }),
    );
  });

  it('finding 2: ensureHome refuses a folder that is a symlink, never following it', () => {
    const dir = mkdtempSync('/tmp/guvh-unit-');
    dirs.push(dir);
    const elsewhere = mkdtempSync('/tmp/guvh-elsewhere-');
    dirs.push(elsewhere);
    const home = resolveHome({ GUV_HOME: dir });
    symlinkSync(elsewhere, home.config);
    expect(() => ensureHome(home)).toThrow(
      expect.objectContaining({
        code: 'GUV_HOME_UNSAFE',
        message: expect.stringContaining(`${home.config}: it is a symlink`),
      }),
    );
  });
});

import { spawn } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createDaemonLog } from '../../src/daemon/daemon-log.js';
import { DAEMON_ALREADY_RUNNING_EXIT_CODE } from '../../src/protocol/start-handshake.js';
import {
  cleanupHome,
  daemonMain,
  eventually,
  fixture,
  guv,
  makeHome,
  type TestHome,
} from '../helpers/daemon-harness.js';
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

const modeOf = (path: string) => statSync(path).mode & 0o777;

function writeConfig(home: TestHome, config: object): void {
  mkdirSync(join(home.dir, 'config'), { recursive: true, mode: 0o700 });
  writeFileSync(join(home.dir, 'config/guv.json'), JSON.stringify(config));
}

/** Starts hello.js (prints one line) and waits for its out.log. */
async function startHello(home: TestHome): Promise<string> {
  const started = await guv(home, ['start', fixture('hello.js'), '--name', 'hello']);
  expect(started.code, started.stderr).toBe(0);
  const out = home.logFile('hello');
  await eventually(
    () => existsSync(out) && readFileSync(out, 'utf8').includes('hello world'),
    'hello in out.log',
  );
  return out;
}

describe('log file modes', () => {
  it('finding 10: logs are private by default: folders 0700, files 0600', async () => {
    const home = makeHome();
    homes.push(home);
    const out = await startHello(home);

    expect(modeOf(join(home.dir, 'logs')).toString(8)).toBe('700');
    expect(modeOf(join(home.dir, 'logs/hello')).toString(8)).toBe('700');
    expect(modeOf(out).toString(8)).toBe('600');
    expect(modeOf(home.daemonLog).toString(8)).toBe('600');
  }, 60_000);

  rootIt(
    'finding 10: with logGroup set, folders are 0750 and files 0640, owned by that group, and its members can read them',
    async () => {
      const user = createThrowawayUser('h');
      users.push(user);
      const home = makeHome();
      homes.push(home);
      writeConfig(home, { logGroup: user.name });
      const out = await startHello(home);

      for (const dir of [join(home.dir, 'logs'), join(home.dir, 'logs/hello')]) {
        expect(modeOf(dir).toString(8), dir).toBe('750');
        expect(statSync(dir).gid, dir).toBe(user.gid);
      }
      for (const file of [out, home.daemonLog]) {
        expect(modeOf(file).toString(8), file).toBe('640');
        expect(statSync(file).gid, file).toBe(user.gid);
      }
      // The admin lets others pass through the home (guv does not widen it): the group reads.
      chmodSync(home.dir, 0o711);
      const read = runAs(user, 'cat', [out]);
      expect(read.status, read.stderr).toBe(0);
      expect(read.stdout).toContain('hello world');
    },
    60_000,
  );

  it('finding 10: logGroup must name a group', async () => {
    const home = makeHome();
    homes.push(home);
    writeConfig(home, { logGroup: 'no-such-group-guvh' });
    const result = await guv(home, ['list'], { timeoutMs: 30_000 });
    expect(result.code).not.toBe(0);
    expect(readFileSync(home.daemonLog, 'utf8')).toContain('no-such-group-guvh');
  }, 60_000);
});

describe('daemon.log rotation', () => {
  it('the daemon log rotates by size and keeps `keep` rotated files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'guvh-dlog-'));
    dirs.push(dir);
    const path = join(dir, 'daemon.log');
    const log = createDaemonLog({ path, maxBytes: 4096, keep: 2, level: 'info' });
    for (let i = 0; i < 2000; i++)
      log.error({ i, filler: 'x'.repeat(100) }, 'a child made me say this');
    log.close();

    const files = readdirSync(dir).sort();
    expect(files).toEqual(['daemon.log', 'daemon.log.1', 'daemon.log.2']);
    for (const file of files) {
      const size = statSync(join(dir, file)).size;
      expect(size, file).toBeLessThanOrEqual(4096);
      expect(size, file).toBeGreaterThan(0);
    }
    const last = readFileSync(path, 'utf8').trim().split('\n').at(-1)!;
    expect(JSON.parse(last)).toMatchObject({ i: 1999, msg: 'a child made me say this' });
  });

  it('daemon.log stays under logs.maxBytes when daemons keep writing to it', async () => {
    const home = makeHome();
    homes.push(home);
    writeConfig(home, { logs: { maxBytes: 1024, keep: 1 } });
    expect((await guv(home, ['list'])).code).toBe(0);

    // Daemons that lose the lock each log a line, started as the CLI starts them.
    for (let i = 0; i < 15; i++) {
      const fd = openSync(home.daemonLog, 'a');
      const child = spawn(process.execPath, [daemonMain], {
        env: home.env,
        cwd: home.stateDir,
        stdio: ['ignore', fd, fd],
      });
      closeSync(fd);
      const code = await new Promise((resolve) => child.on('exit', resolve));
      expect(code).toBe(DAEMON_ALREADY_RUNNING_EXIT_CODE);
    }

    const logs = readdirSync(join(home.dir, 'logs')).filter((f) => f.startsWith('daemon.'));
    expect(logs.sort()).toEqual(['daemon.log', 'daemon.log.1']);
    for (const file of logs) {
      expect(statSync(join(home.dir, 'logs', file)).size, file).toBeLessThanOrEqual(1024);
    }
    const text = logs.map((f) => readFileSync(join(home.dir, 'logs', f), 'utf8')).join('');
    expect(text).toContain('already runs for this home');
  }, 120_000);
});

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AutostartOptions, connectOrStartDaemon } from '../../src/client/autostart.js';
import type { Connection } from '../../src/client/connection.js';
import { type GuvHome, ensureHome, resolveHome } from '../../src/protocol/home.js';
import { acquireDaemonLock, readLockHolder } from '../../src/daemon/lock.js';
import { isPidAlive } from '../../src/procfs/process-identity.js';
import { tempDir } from './helpers.js';

const daemonEntry = join(import.meta.dirname, 'fixtures', 'test-daemon.ts');
// The daemon runs from its own folder, so tsx is named by absolute URL.
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

let temp: ReturnType<typeof tempDir>;
let home: GuvHome;
let env: NodeJS.ProcessEnv;
const connections: Connection[] = [];
const started: number[] = [];

beforeEach(() => {
  temp = tempDir('guv-auto-');
  env = { ...process.env, GUV_HOME: temp.dir };
  home = resolveHome(env);
});
afterEach(async () => {
  for (const connection of connections.splice(0)) connection.close();
  for (const pid of started.splice(0)) await kill(pid);
  temp.remove();
});

async function kill(pid: number): Promise<void> {
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 100 && isPidAlive(pid); i++) await new Promise((r) => setTimeout(r, 20));
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {}
}

async function connect(extra: Partial<AutostartOptions> = {}): Promise<Connection> {
  const connection = await connectOrStartDaemon({
    home,
    daemonEntry,
    env,
    execArgv: ['--import', tsx],
    timeoutMs: 15_000,
    onStarted: (pid) => started.push(pid),
    ...extra,
  });
  connections.push(connection);
  return connection;
}

describe('connectOrStartDaemon', () => {
  it('starts a detached daemon when none runs, then reuses it', async () => {
    const first = await connect();
    expect(started).toHaveLength(1);
    const pid = started[0]!;
    expect(await first.request('ping')).toEqual({ pid });
    expect(await first.request('list')).toEqual([]);
    expect(readLockHolder(home.pidFile)).toMatchObject({ pid });
    expect(readFileSync(home.daemonLog, 'utf8')).toContain(`test daemon ${pid}: listening`);

    const second = await connect();
    expect(started).toHaveLength(1);
    expect(await second.request('ping')).toEqual({ pid });
  });

  it('ends with exactly one daemon when several clients race to start it', async () => {
    const spawned: number[] = [];
    const racers = await Promise.all(
      [0, 1, 2].map(() =>
        connect({
          env: { ...env, TEST_DAEMON_DELAY_MS: '100' },
          onStarted: (pid) => {
            started.push(pid);
            spawned.push(pid);
          },
        }),
      ),
    );
    expect(spawned).toHaveLength(1);
    const pids = await Promise.all(racers.map((c) => c.request('ping')));
    expect(pids).toEqual([{ pid: spawned[0] }, { pid: spawned[0] }, { pid: spawned[0] }]);
    const log = readFileSync(home.daemonLog, 'utf8');
    expect(log.match(/already runs for this home/g)).toHaveLength(2);
  });

  it('replaces a daemon that was killed, clearing its stale lock and socket', async () => {
    const first = await connect();
    const oldPid = started[0]!;
    const gone = new Promise((resolve) => first.onClose(resolve));
    process.kill(oldPid, 'SIGKILL');
    expect(await gone).toMatchObject({ code: 'GUV_DAEMON_GONE' });
    await expect(first.request('ping')).rejects.toMatchObject({ code: 'GUV_DAEMON_GONE' });
    expect(existsSync(home.socket)).toBe(true);
    expect(existsSync(home.pidFile)).toBe(true);

    const second = await connect();
    const newPid = started[1]!;
    expect(newPid).not.toBe(oldPid);
    expect(await second.request('ping')).toEqual({ pid: newPid });
  });

  it('says so when a live daemon holds the lock but its socket is gone', async () => {
    ensureHome(home);
    const lock = await acquireDaemonLock(home.pidFile);
    try {
      const error = await connect({ timeoutMs: 1500 }).catch((e) => e);
      expect(error).toMatchObject({ code: 'GUV_DAEMON_START_FAILED' });
      expect(error.message).toContain('does not answer');
    } finally {
      lock.release();
    }
  });

  it('fails fast, pointing at the log, when the daemon dies at startup', async () => {
    const startedAt = Date.now();
    const error = await connect({ env: { ...env, TEST_DAEMON_CRASH: '1' } }).catch((e) => e);
    expect(error).toMatchObject({ code: 'GUV_DAEMON_START_FAILED' });
    expect(error.message).toContain(home.daemonLog);
    expect(error.message).toContain('code 3');
    expect(Date.now() - startedAt).toBeLessThan(5000);
    expect(readFileSync(home.daemonLog, 'utf8')).toContain('crashing on purpose');
  });
});

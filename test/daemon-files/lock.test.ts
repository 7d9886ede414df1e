import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireDaemonLock, readLockHolder } from '../../src/daemon/lock.js';
import { readProcessStartTime } from '../../src/procfs/process-identity.js';

let dir: string;
let pidFile: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'guv-lock-'));
  pidFile = join(dir, 'guv.pid');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid!;
}

describe('acquireDaemonLock', () => {
  it('writes the holder and removes the file on release', async () => {
    const lock = await acquireDaemonLock(pidFile);
    const holder = readLockHolder(pidFile);
    expect(holder).toMatchObject({ pid: process.pid, token: lock.holder.token });
    expect(lock.holder.startTime).toBe(readProcessStartTime(process.pid));
    lock.release();
    lock.release();
    expect(existsSync(pidFile)).toBe(false);
  });

  it('refuses a second holder while the first lives', async () => {
    const lock = await acquireDaemonLock(pidFile);
    await expect(acquireDaemonLock(pidFile)).rejects.toMatchObject({ code: 'GUV_DAEMON_RUNNING' });
    lock.release();
    const again = await acquireDaemonLock(pidFile);
    again.release();
  });

  it('takes over the lock of a dead daemon', async () => {
    writeFileSync(pidFile, JSON.stringify({ pid: deadPid(), startTime: '1', token: 'old' }));
    const lock = await acquireDaemonLock(pidFile);
    expect(readLockHolder(pidFile)).toMatchObject({ pid: process.pid });
    lock.release();
  });

  it('takes over when the pid was recycled by another process (start time differs)', async () => {
    writeFileSync(pidFile, JSON.stringify({ pid: process.ppid, startTime: '-1', token: 'old' }));
    const lock = await acquireDaemonLock(pidFile);
    expect(readLockHolder(pidFile)).toMatchObject({ pid: process.pid });
    lock.release();
  });

  it('takes over a lock file holding garbage', async () => {
    writeFileSync(pidFile, 'not a lock');
    const lock = await acquireDaemonLock(pidFile);
    lock.release();
  });

  it('lets exactly one of several racing starters take over a stale lock', async () => {
    writeFileSync(pidFile, JSON.stringify({ pid: deadPid(), startTime: null, token: 'old' }));
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => acquireDaemonLock(pidFile)));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'GUV_DAEMON_RUNNING' });
    }
    (won[0] as PromiseFulfilledResult<{ release(): void }>).value.release();
  });

  it('clears a takeover guard left by a dead starter', async () => {
    writeFileSync(pidFile, JSON.stringify({ pid: deadPid(), startTime: null, token: 'old' }));
    writeFileSync(`${pidFile}.takeover`, JSON.stringify({ pid: deadPid() }));
    const lock = await acquireDaemonLock(pidFile, { timeoutMs: 2000 });
    expect(existsSync(`${pidFile}.takeover`)).toBe(false);
    lock.release();
  });

  it('does not remove a lock that is no longer its own on release', async () => {
    const lock = await acquireDaemonLock(pidFile);
    writeFileSync(pidFile, JSON.stringify({ pid: process.pid, startTime: null, token: 'other' }));
    lock.release();
    expect(JSON.parse(readFileSync(pidFile, 'utf8')).token).toBe('other');
  });
});

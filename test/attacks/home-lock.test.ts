import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHome,
  guv,
  makeHome,
  processesMentioning,
  type TestHome,
} from '../helpers/daemon-harness.js';

const lockModule = pathToFileURL(join(import.meta.dirname, '../../src/daemon/lock.ts')).href;
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

const homes: TestHome[] = [];
afterEach(async () => {
  for (const home of homes.splice(0)) await cleanupHome(home);
});

/** utime + stime of `pid` in clock ticks (100 a second on Linux); 0 once it is gone. */
function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** Processes of the home that burn more than half a core over two seconds. */
async function spinning(home: TestHome): Promise<number[]> {
  const pids = processesMentioning(home.dir).map((p) => p.pid);
  const before = new Map(pids.map((pid) => [pid, cpuTicks(pid)]));
  await new Promise((resolve) => setTimeout(resolve, 2000));
  return pids.filter((pid) => cpuTicks(pid) - before.get(pid)! > 100);
}

describe('a dangling symlink at run/guv.pid', () => {
  it('finding 11: guv list finishes in seconds, and no guv process is left spinning', async () => {
    const home = makeHome();
    homes.push(home);
    mkdirSync(join(home.dir, 'run'), { mode: 0o700 });
    const nowhere = join(home.dir, 'nowhere');
    symlinkSync(nowhere, home.pidFile);

    const started = Date.now();
    const result = await guv(home, ['list'], { timeoutMs: 60_000 }).catch((error: Error) => ({
      code: null,
      stdout: '',
      stderr: error.message,
    }));
    const tookMs = Date.now() - started;
    const spinners = await spinning(home);

    expect(spinners, 'guv processes at 100 % CPU').toEqual([]);
    // Generous for a busy machine; the outcome below tells a CLI that gave up waiting apart.
    expect(tookMs).toBeLessThan(20_000);
    if (result.code === 0) {
      // It took the lock: the link is gone (removed, not followed) and a real lock is there.
      expect(lstatSync(home.pidFile).isFile()).toBe(true);
    } else {
      expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
      expect(result.stderr).toContain(home.pidFile);
    }
    expect(existsSync(nowhere)).toBe(false);
  }, 90_000);

  it('finding 11: acquireDaemonLock takes over a dangling link without following it', () => {
    const home = makeHome();
    homes.push(home);
    const pidFile = join(home.dir, 'guv.pid');
    const nowhere = join(home.dir, 'nowhere');
    symlinkSync(nowhere, pidFile);
    // In a child: a loop with no await would block this worker for good.
    const code = `
      const { acquireDaemonLock } = await import(${JSON.stringify(lockModule)});
      const lock = await acquireDaemonLock(${JSON.stringify(pidFile)}, { timeoutMs: 2000 });
      console.log('taken');
      lock.release();
    `;
    const child = spawnSync(
      process.execPath,
      ['--import', tsx, '--input-type=module', '-e', code],
      { encoding: 'utf8', timeout: 15_000, killSignal: 'SIGKILL' },
    );
    expect(child.signal, 'still looping after 15 s').toBeNull();
    expect(child.stdout.trim(), child.stderr).toBe('taken');
    expect(existsSync(nowhere)).toBe(false);
  });
});

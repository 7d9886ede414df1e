// Not node:crypto: the token only tells two holders apart, and crypto costs the daemon ~2 MiB.
import { nanoid } from 'nanoid/non-secure';
import {
  closeSync,
  constants,
  linkSync,
  lstatSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { GuvError } from '../errors.js';
import {
  isPidAlive,
  isSameProcessAlive,
  readProcessStartTime,
} from '../procfs/process-identity.js';

/** What the lock file says about the daemon holding it. */
export interface LockHolder {
  pid: number;
  /** `/proc` start time of the holder, so a recycled pid is not taken for it; null off Linux. */
  startTime: string | null;
  /** Unique per acquisition: release and takeover remove only the file they judged. */
  token: string;
}

/** A held one-daemon-per-home lock. */
export interface DaemonLock {
  readonly pidFile: string;
  readonly holder: LockHolder;
  /** Remove the lock file if it is still ours. Idempotent; safe in an `exit` handler. */
  release(): void;
}

const RETRY_MS = 10;
// O_NOFOLLOW: a symlink at the lock's path is read as "not a lock", never followed;
// O_NONBLOCK: a FIFO there cannot hang the open.
const READ_NO_FOLLOW = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

export interface AcquireLockOptions {
  /** Give up (GUV_LOCK_TIMEOUT) if another process keeps the takeover guard this long. */
  timeoutMs?: number;
}

/**
 * Take the one-daemon-per-home lock: the pid file, created atomically and exclusively
 * (written aside, then hard-linked into place, so readers never see it half written).
 *
 * A live holder (same pid and start time) makes this throw `GUV_DAEMON_RUNNING`. A stale one
 * (its daemon died) is taken over; removing it happens under a second exclusive file, the
 * takeover guard, after re-reading that the file is still the stale one, so two starters
 * racing over a stale lock never both win.
 *
 * @example
 * const lock = await acquireDaemonLock(home.pidFile);
 * process.on('exit', () => lock.release());
 */
export async function acquireDaemonLock(
  pidFile: string,
  { timeoutMs = 5000 }: AcquireLockOptions = {},
): Promise<DaemonLock> {
  const holder: LockHolder = {
    pid: process.pid,
    startTime: readProcessStartTime(process.pid),
    token: nanoid(),
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (tryCreate(pidFile, holder)) return heldLock(pidFile, holder);
    const current = readLockHolder(pidFile);
    let removed = false;
    if (current !== 'missing') {
      if (current !== 'unreadable' && isSameProcessAlive(current.pid, current.startTime)) {
        throw new GuvError(
          'GUV_DAEMON_RUNNING',
          `a guv daemon (pid ${current.pid}) already runs for this home (lock ${pidFile})`,
        );
      }
      removed = removeIfUnchanged(pidFile, current);
    }
    // 'missing' (released between our link and our read), or another starter's takeover under
    // way: whatever happens, this loop ends by the deadline and never spins.
    if (Date.now() > deadline) {
      throw new GuvError(
        'GUV_LOCK_TIMEOUT',
        `could not take the lock ${pidFile} in ${timeoutMs} ms; if no guv daemon runs for this home, remove it`,
      );
    }
    if (removed) continue;
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}

/**
 * Read the lock file: the holder, `'missing'` when there is none, `'unreadable'` when it holds
 * something that is not a lock (a crash of an older writer, or a symlink: its link is stale
 * and is removed itself, never what it points to).
 */
export function readLockHolder(pidFile: string): LockHolder | 'missing' | 'unreadable' {
  const text = readNoFollow(pidFile);
  if (text === null) return 'missing';
  if (text === 'symlink') return 'unreadable';
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (typeof value.pid === 'number' && typeof value.token === 'string') {
      return { pid: value.pid, startTime: value.startTime ?? null, token: value.token };
    }
  } catch {}
  return 'unreadable';
}

/** The file's text; null when there is none; 'symlink' for a symlink (ELOOP). */
function readNoFollow(path: string): string | null | 'symlink' {
  let fd: number;
  try {
    fd = openSync(path, READ_NO_FOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP') return 'symlink';
    throw error;
  }
  try {
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

function tryCreate(pidFile: string, holder: LockHolder): boolean {
  const temp = `${pidFile}.${holder.token}.tmp`;
  writeFileSync(temp, `${JSON.stringify(holder)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temp, pidFile);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(temp);
  }
}

/** Under the takeover guard, delete the lock file only if it still is `stale`. */
function removeIfUnchanged(pidFile: string, stale: LockHolder | 'unreadable'): boolean {
  const guard = `${pidFile}.takeover`;
  let fd: number;
  try {
    fd = openSync(guard, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    clearDeadGuard(guard);
    return false;
  }
  try {
    writeFileSync(fd, JSON.stringify({ pid: process.pid }));
    const now = readLockHolder(pidFile);
    const unchanged =
      now === 'unreadable' || stale === 'unreadable'
        ? now === stale
        : now !== 'missing' && now.token === stale.token;
    if (unchanged) unlinkSync(pidFile);
    return true;
  } finally {
    closeSync(fd);
    unlinkSync(guard);
  }
}

/**
 * A guard left by a starter that died mid-takeover would block every later start: clear it
 * when its writer is dead, or when it stayed empty (writer died between open and write).
 */
function clearDeadGuard(guard: string): void {
  let text: string | 'symlink' | null;
  let ageMs: number;
  try {
    text = readNoFollow(guard);
    ageMs = Date.now() - lstatSync(guard).mtimeMs;
  } catch {
    return;
  }
  if (text === null) return;
  let pid: number | undefined;
  try {
    if (text !== 'symlink') pid = (JSON.parse(text) as { pid?: number }).pid;
  } catch {}
  const dead = typeof pid === 'number' ? !isPidAlive(pid) : ageMs > 1000;
  if (!dead) return;
  try {
    unlinkSync(guard);
  } catch {}
}

function heldLock(pidFile: string, holder: LockHolder): DaemonLock {
  let released = false;
  return {
    pidFile,
    holder,
    release() {
      if (released) return;
      released = true;
      const current = readLockHolder(pidFile);
      if (current !== 'missing' && current !== 'unreadable' && current.token === holder.token) {
        unlinkSync(pidFile);
      }
    },
  };
}

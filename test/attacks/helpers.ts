import { execFileSync, spawnSync } from 'node:child_process';
import { it } from 'vitest';

export const isRoot = process.getuid?.() === 0;

/**
 * A test that needs root: run as root it runs; otherwise it is reported as skipped, with
 * "skipped: not root" in its name, never passed silently.
 */
export function rootIt(name: string, fn: () => Promise<void> | void, timeoutMs?: number): void {
  if (isRoot) it(name, fn, timeoutMs);
  // Skipped only when not root: the test needs root, and its name says so in the report.
  else it.skip(`${name} (skipped: not root)`, fn);
}

export interface ThrowawayUser {
  name: string;
  uid: number;
  gid: number;
  /** Deletes the user and its group. Idempotent. */
  remove(): void;
}

/**
 * A system user with its own group, no home and no login shell, for one test file. Name:
 * `guvx<tag><random>` (at most 32 characters); remove it in `afterAll`.
 */
export function createThrowawayUser(tag: string): ThrowawayUser {
  const name = `guvx${tag}${Math.random().toString(36).slice(2, 8)}`.slice(0, 32);
  execFileSync('useradd', [
    '--no-create-home',
    '--user-group',
    '--home-dir',
    '/nonexistent',
    '--shell',
    '/usr/sbin/nologin',
    name,
  ]);
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
  let removed = false;
  return {
    name,
    uid,
    gid,
    remove() {
      if (removed) return;
      removed = true;
      spawnSync('userdel', [name]);
      spawnSync('groupdel', [name]);
    },
  };
}

/** Runs `command args` as `user` (setpriv, with the user's groups) and returns its result. */
export function runAs(
  user: ThrowawayUser,
  command: string,
  args: string[],
  env?: NodeJS.ProcessEnv,
) {
  return spawnSync(
    'setpriv',
    [
      '--reuid',
      String(user.uid),
      '--regid',
      String(user.gid),
      '--init-groups',
      '--',
      command,
      ...args,
    ],
    { encoding: 'utf8', env: env ?? process.env },
  );
}

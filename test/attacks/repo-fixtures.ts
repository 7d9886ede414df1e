import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { makeTempDir, removeDir, sh } from '../apps/git-fixtures.js';
import { cleanupHome, makeHome, type TestHome } from '../helpers/daemon-harness.js';
import { createThrowawayUser, isRoot, type ThrowawayUser } from './helpers.js';

/** What goes into a commit: text (mode 0644 unless given), or a symlink to `link`. */
export type RepoFile = string | { text: string; mode: number } | { link: string };

/** A temp folder (0755) with `markers/` (1777), where hostile scripts of any user report. */
export async function makeAttackBase(prefix: string): Promise<{ base: string; markers: string }> {
  const base = await makeTempDir(prefix);
  const markers = join(base, 'markers');
  await mkdir(markers);
  await chmod(markers, 0o1777);
  return { base, markers };
}

/** Write `files` into the work tree of `dir` and commit them on the current branch. */
export async function commitFiles(
  dir: string,
  files: Record<string, RepoFile>,
  message = 'files',
): Promise<void> {
  for (const [name, file] of Object.entries(files)) {
    const path = join(dir, name);
    await mkdir(dirname(path), { recursive: true });
    if (typeof file === 'string') await writeFile(path, file);
    else if ('link' in file) await symlink(file.link, path);
    else {
      await writeFile(path, file.text);
      await chmod(path, file.mode);
    }
  }
  sh(dir, 'add', '-A');
  sh(dir, 'commit', '-q', '-m', message);
}

/** A new repository at `dir` on branch main holding `files`; returns its file:// URL. */
export async function makeRepo(dir: string, files: Record<string, RepoFile>): Promise<string> {
  await mkdir(dir, { recursive: true });
  sh(dir, 'init', '-q', '-b', 'main');
  await commitFiles(dir, files, 'init');
  return `file://${dir}`;
}

/** A shell script that appends `id -u` to `<markers>/<name>` and then runs `then`. */
export function reportingScript(markers: string, name: string, then = ''): string {
  return `#!/bin/sh\nid -u >> ${join(markers, name)}\n${then}\n`;
}

/**
 * Every marker file that proves something ran as root: owned by uid 0 or holding a line "0".
 * Empty when nothing ran, or ran only as other users.
 */
export function rootMarks(markers: string): string[] {
  if (!existsSync(markers)) return [];
  return readdirSync(markers).filter((name) => {
    const path = join(markers, name);
    const lines = readFileSync(path, 'utf8').split('\n');
    return statSync(path).uid === 0 || lines.includes('0');
  });
}

/** The uids that wrote marker `name`, in order. */
export function markerUids(markers: string, name: string): number[] {
  const path = join(markers, name);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map(Number);
}

export function chownTree(owner: string, dir: string): void {
  execFileSync('chown', ['-R', owner, dir]);
}

/** What each repository attack test gets: a fresh home and attack folder, and the app user. */
export interface AttackWorkspace {
  home: TestHome;
  base: string;
  markers: string;
  /** A throwaway app user, made once per file when the tests run as root. */
  user: ThrowawayUser | undefined;
}

/**
 * A new home and attack folder (`prefix`) before each test of a file, removed after it, and one
 * throwaway user for the file when running as root; `receive` gets them before each test.
 */
export function useAttackWorkspace(prefix: string, receive: (w: AttackWorkspace) => void): void {
  let user: ThrowawayUser | undefined;
  let home: TestHome | undefined;
  let base: string | undefined;
  beforeAll(() => {
    if (isRoot) user = createThrowawayUser('r');
  });
  afterAll(() => user?.remove());
  beforeEach(async () => {
    home = makeHome();
    // guv changes no folder it did not create: an app user must be able to pass the home (finding 7).
    chmodSync(home.dir, 0o711);
    const made = await makeAttackBase(prefix);
    base = made.base;
    receive({ home, base, markers: made.markers, user });
  });
  afterEach(async () => {
    if (home) await cleanupHome(home);
    await removeDir(base);
  });
}

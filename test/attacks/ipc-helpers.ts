import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { guv, type TestHome } from '../helpers/daemon-harness.js';
import { createThrowawayUser, isRoot, type ThrowawayUser } from './helpers.js';

/** A folder of hostile fixtures every user can read (children may run as a throwaway user). */
export function fixtureDir(): {
  dir: string;
  write(name: string, code: string): string;
  remove(): void;
} {
  const dir = mkdtempSync('/tmp/guvi-fx-');
  chmodSync(dir, 0o755);
  return {
    dir,
    write(name, code) {
      const path = join(dir, name);
      writeFileSync(path, code, { mode: 0o644 });
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** As root, hostile children run as a throwaway user (the finding: "even a dropped-privilege one"). */
export function maybeUser(tag: string): ThrowawayUser | null {
  return isRoot ? createThrowawayUser(tag) : null;
}

/** The source line every hostile fixture starts with: sends a raw guv wrapper message. */
export const SEND_RAW = `
const guv = (body) => new Promise((resolve) => process.send({ cmd: 'NODE_GUV', ...body }, undefined, undefined, () => resolve()));
`;

export function daemonLogLines(home: TestHome): string[] {
  if (!existsSync(home.daemonLog)) return [];
  return readFileSync(home.daemonLog, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0);
}

/** No line of daemon.log (from line `since` on) says that the daemon threw. */
export function expectNoDaemonThrow(home: TestHome, since = 0): void {
  const thrown = daemonLogLines(home)
    .slice(since)
    .filter((line) =>
      /uncaught exception in the daemon|unhandled rejection in the daemon/.test(line),
    );
  expect(thrown.slice(0, 3)).toEqual([]);
}

/** Every file and folder under `dir`, relative. */
export function walk(dir: string, prefix = ''): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    found.push(relative);
    if (entry.isDirectory()) found.push(...walk(join(dir, entry.name), relative));
  }
  return found;
}

const LOG_FILE = /^(worker-\d+\.)?(out|err|warn|debug)\.log(\.\d+)?$/;

/** Under the home's logs: guv's own (daemon.log, keeper.log) and one folder per app holding only level files. */
export function expectOnlyLevelFiles(home: TestHome, apps: readonly string[]): void {
  const logs = join(home.dir, 'logs');
  const stray = walk(logs).filter((relative) => {
    const parts = relative.split('/');
    if (parts.length === 1)
      return !(/^(daemon|keeper)\.log(\.\d+)?$/.test(parts[0]!) || apps.includes(parts[0]!));
    return !(parts.length === 2 && apps.includes(parts[0]!) && LOG_FILE.test(parts[1]!));
  });
  expect(stray).toEqual([]);
  const everywhere = walk(home.dir).filter((relative) =>
    /undefined|function|\[object|constructor|__proto__|(^|\/)x(\.log)?$/.test(relative),
  );
  expect(everywhere).toEqual([]);
}

export async function expectListAnswers(home: TestHome, name: string): Promise<void> {
  const listed = await guv(home, ['list'], { timeoutMs: 30_000 });
  expect(listed.code).toBe(0);
  expect(listed.stdout).toContain(name);
}

/** VmHWM (peak) and VmRSS of a process, in bytes. */
export function memoryOf(pid: number): { peak: number; rss: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) =>
    Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1]) * 1024;
  return { peak: kb('VmHWM'), rss: kb('VmRSS') };
}

/** Resets VmHWM to the current RSS, so the next peak is this test's own. */
export function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

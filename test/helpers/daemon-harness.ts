import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  connect,
  connectOrStart,
  type GuvClient,
  type StartOptions,
} from '../../src/client/api.js';

import { afterAll, beforeAll } from 'vitest';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const guvBin = join(repoRoot, 'bin/guv.js');
export const daemonMain = join(repoRoot, 'dist/daemon/start.cjs');

export function fixture(name: string): string {
  return join(repoRoot, 'test/fixtures', name);
}

/** A private daemon home under /tmp (short, so its socket fits sun_path). */
export interface TestHome {
  dir: string;
  /** Environment for a CLI or daemon run against this home. */
  env: NodeJS.ProcessEnv;
  /** Environment for children started through the API: marks them for the /proc sweep. */
  childEnv: Record<string, string>;
  logFile(name: string, stream?: 'out' | 'err'): string;
  processesFile: string;
  pidFile: string;
  daemonLog: string;
  stateDir: string;
}

const homes = new Set<string>();
const clients = new Set<GuvClient>();

/** Writes the daemon's settings, `<home>/config/guv.json`, read when the daemon starts. */
export function writeDaemonConfig(home: TestHome, settings: object): void {
  mkdirSync(join(home.dir, 'config'), { recursive: true, mode: 0o700 });
  writeFileSync(join(home.dir, 'config', 'guv.json'), JSON.stringify(settings));
}

export function makeHome(): TestHome {
  const dir = mkdtempSync('/tmp/guvt-');
  homes.add(dir);
  const env: NodeJS.ProcessEnv = { ...process.env, GUV_HOME: dir };
  delete env.GUV_DEBUG;
  return {
    dir,
    env,
    childEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin', GUV_TEST_HOME: dir },
    logFile: (name, stream = 'out') => join(dir, 'logs', name, `${stream}.log`),
    processesFile: join(dir, 'state/processes.json'),
    pidFile: join(dir, 'run/guv.pid'),
    daemonLog: join(dir, 'logs/daemon.log'),
    stateDir: join(dir, 'state'),
  };
}

/** Starts (or reaches) the home's daemon; the client is closed by {@link cleanupHome}. */
export async function startDaemon(home: TestHome): Promise<GuvClient> {
  const client = await connectOrStart({ home: home.dir, timeoutMs: 30_000 });
  clients.add(client);
  return client;
}

/** Connects without starting; the client is closed by {@link cleanupHome}. */
export async function connectTo(home: TestHome): Promise<GuvClient> {
  const client = await connect({ home: home.dir, timeoutMs: 30_000 });
  clients.add(client);
  return client;
}

/** `startProcess` with the sweep marker in the child's environment. */
export function startTracked(
  client: GuvClient,
  home: TestHome,
  script: string,
  options: StartOptions = {},
) {
  return client.startProcess(script, {
    ...options,
    env: { ...home.childEnv, ...options.env },
  });
}

export function daemonPid(home: TestHome): number {
  return (JSON.parse(readFileSync(home.pidFile, 'utf8')) as { pid: number }).pid;
}

/**
 * SIGKILLs the home's daemon (a crash) and resolves once it is gone: a command sent while the
 * kernel still tears its socket down would be reset instead of finding no daemon.
 */
export async function crashDaemon(home: TestHome): Promise<void> {
  const pid = daemonPid(home);
  process.kill(pid, 'SIGKILL');
  await eventually(() => threadsLeft(pid) === 0 || undefined, `the daemon (pid ${pid}) to be gone`);
}

/**
 * Threads of `pid` still running or exiting. The leader of a killed node process can be a zombie
 * while its other threads are still exiting, and its descriptors (the daemon's listening
 * socket) close only with the last of them: a client that connects then is reset.
 */
function threadsLeft(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/task`).filter((task) => Number(task) !== pid || alive(pid))
      .length;
  } catch {
    return 0;
  }
}

export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // A zombie is dead for every purpose here.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

interface ProcEntry {
  pid: number;
  ppid: number;
  pgid: number;
  zombie: boolean;
  cmdline: string;
  environ: string;
}

function readProc(pid: number): ProcEntry | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const read = (file: string) => {
      try {
        return readFileSync(`/proc/${pid}/${file}`, 'utf8').replaceAll('\0', ' ');
      } catch {
        return '';
      }
    };
    return {
      pid,
      ppid: Number(fields[1]),
      pgid: Number(fields[2]),
      zombie: fields[0] === 'Z',
      cmdline: read('cmdline'),
      environ: read('environ'),
    };
  } catch {
    return null;
  }
}

function allProcs(): ProcEntry[] {
  const entries: ProcEntry[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const entry = readProc(Number(name));
    if (entry) entries.push(entry);
  }
  return entries;
}

/** Live processes whose command line or environment mentions `text`. */
export function processesMentioning(text: string): ProcEntry[] {
  return allProcs().filter(
    (p) =>
      !p.zombie && p.pid !== process.pid && (p.cmdline.includes(text) || p.environ.includes(text)),
  );
}

/** Live processes of this home running `script` (by command line), e.g. one per app. */
export function processesRunning(home: TestHome, script: string): ProcEntry[] {
  return processesMentioning(home.dir).filter((p) => p.cmdline.includes(script));
}

/** Every live process that belongs to the home: the daemon, children, their descendants. */
function processesOf(dir: string): ProcEntry[] {
  const all = allProcs().filter((p) => !p.zombie && p.pid !== process.pid);
  const found = new Map<number, ProcEntry>();
  for (const p of all) if (p.cmdline.includes(dir) || p.environ.includes(dir)) found.set(p.pid, p);
  let grew = true;
  while (grew) {
    grew = false;
    // Only groups led by one of ours: a CLI run shares the test runner's group.
    const groups = new Set([...found.values()].filter((p) => p.pgid === p.pid).map((p) => p.pid));
    for (const p of all) {
      if (found.has(p.pid)) continue;
      if (found.has(p.ppid) || groups.has(p.pgid)) {
        found.set(p.pid, p);
        grew = true;
      }
    }
  }
  // Never the test runner or its ancestors.
  const ancestors = new Set<number>();
  for (let pid = process.pid; pid > 1; ) {
    ancestors.add(pid);
    pid = readProc(pid)?.ppid ?? 1;
  }
  return [...found.values()].filter((p) => !ancestors.has(p.pid));
}

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {}
}

/**
 * One home and one daemon shared by a test file's tests: made before them, cleaned up after them
 * (even when they fail). `receive` gets them once they exist.
 */
export function useSharedDaemon(receive: (shared: { home: TestHome; client: GuvClient }) => void) {
  let home: TestHome | null = null;
  beforeAll(async () => {
    home = makeHome();
    receive({ home, client: await startDaemon(home) });
  }, 60_000);
  afterAll(async () => {
    if (home) await cleanupHome(home);
  }, 60_000);
}

/**
 * Closes clients, asks the daemon to stop, then SIGKILLs every process that belongs to the
 * home (and its process group) and deletes the folder. Safe to call more than once.
 */
export async function cleanupHome(home: TestHome): Promise<void> {
  for (const client of clients) await client.disconnect().catch(() => {});
  clients.clear();
  try {
    const client = await connect({ home: home.dir, timeoutMs: 3000 });
    await client.request('kill', undefined, 15_000).catch(() => {});
    await client.disconnect();
  } catch {}
  for (let round = 0; round < 20; round++) {
    const left = processesOf(home.dir);
    if (left.length === 0) break;
    for (const p of left) {
      if (p.pgid === p.pid) kill(-p.pid, 'SIGKILL');
      kill(p.pid, 'SIGKILL');
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  rmSync(home.dir, { recursive: true, force: true });
  homes.delete(home.dir);
}

export async function cleanupAllHomes(): Promise<void> {
  for (const dir of [...homes]) {
    await cleanupHome({ dir } as TestHome);
  }
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/guv.js …` against the home and collects its output. */
export function guv(
  home: TestHome,
  args: string[],
  options: { input?: string; timeoutMs?: number; cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [guvBin, ...args], {
      env: home.env,
      cwd: options.cwd ?? repoRoot,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`guv ${args.join(' ')} timed out; stdout: ${stdout} stderr: ${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Polls `check` until it is truthy (for facts no event reports, such as /proc or a file). */
export async function eventually<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 15_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Records events from `client.on(pattern)` as `[type, ...args]` and waits for matches. */
export async function recordEvents(client: GuvClient, pattern = 'process:*') {
  const events: Array<{ type: string; args: unknown[] }> = [];
  const waiters: Array<() => void> = [];
  const off = await client.on(
    pattern as 'process:*',
    ((type: string, ...args: unknown[]) => {
      events.push({ type, args });
      for (const wake of waiters.splice(0)) wake();
    }) as never,
  );
  return {
    events,
    off,
    /** Events of one process (by name in the first argument), without log lines. */
    of(name: string) {
      return events.filter(
        (e) => !e.type.includes(':log:') && (e.args[0] as { name?: string })?.name === name,
      );
    },
    async waitFor(
      match: (event: { type: string; args: unknown[] }) => boolean,
      what: string,
      timeoutMs = 20_000,
    ) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(match);
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new Error(
            `timed out waiting for ${what}; saw: ${events.map((e) => e.type).join(', ')}`,
          );
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
  };
}

/** Matches an event by type and the process name in its first argument. */
export function eventOf(type: string, name: string) {
  return (e: { type: string; args: unknown[] }) =>
    e.type === type && (e.args[0] as { name?: string })?.name === name;
}

import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createGuvDriver } from './lib/guv-driver.js';
import type { ManagerDriver } from './lib/manager.js';
import { createPm2Driver } from './lib/pm2-driver.js';
import { killLeftovers, pidsWithCommandLine } from './lib/proc.js';
import { makeTempDir, removeDir } from './lib/temp-dir.js';
import { median, nowNs, runChecked, sleep } from './lib/timing.js';

const FIXTURE = new URL('./fixtures/numbered-lines.mjs', import.meta.url);
const guvBin = fileURLToPath(new URL('../bin/guv.js', import.meta.url));
const pm2Bin = fileURLToPath(new URL('../node_modules/pm2/bin/pm2', import.meta.url));

/** guv's records start with `2026-11-24T13:40:00.123Z ` (src/logs/format.ts). */
const GUV_PREFIX = 25;
/** guv's default rotation size, with enough files kept that 1M prefixed lines (≈37 MB) all stay. */
const GUV_LOGS = { maxBytes: 10 * 1024 * 1024, keep: 20 };
/** A run whose files stop growing this long before holding every byte is over (lines were lost). */
const STALL_MS = 5000;
const POLL_MS = 2;

export interface LogsDaemonRow {
  pipeline: string;
  /** Median ms from the fixture's first stdout write until every line is in the log file(s). */
  ms: number;
  /** ms divided by the `cat > file` baseline's. */
  ratio: number;
  /** Median CPU ms of the manager's own processes (guv: daemon + keeper; all threads) per run, the start included. */
  managerCpuMs: number | null;
  /** Summed over every round. */
  lost: number;
  duplicated: number;
  reordered: number;
}

export interface LogsDaemonOptions {
  rounds?: number;
  lines?: number;
  log?: (line: string) => void;
}

interface Run {
  /** Folder holding the fixture copy (and its `first-write` mark). */
  dir: string;
  script: string;
  name: string;
}

interface Pipeline {
  label: string;
  /** The run's log file (rotated ones are `<file>.1`, `<file>.2`…). */
  logFile(run: Run): string;
  /** Bytes in front of each line in the file. */
  prefix: number;
  /** The daemon doing the work, if any. */
  /** The manager's own processes (guv: daemon and keeper, which writes the files). */
  managerPids(): number[];
  /** Starts the fixture; resolves once it is started (not finished). */
  start(run: Run): Promise<void>;
  /** Removes what the run left in the manager (process entry, log files). */
  cleanup(run: Run): Promise<void>;
}

/** Bytes of `line 0\n` … `line <count-1>\n`, each line with `prefix` more bytes in front. */
export function expectedBytes(count: number, prefix: number): number {
  let total = 0;
  for (let digits = 1; 10 ** (digits - 1) <= Math.max(count - 1, 1); digits++) {
    const from = digits === 1 ? 0 : 10 ** (digits - 1);
    const to = Math.min(count, 10 ** digits);
    total += (to - from) * (prefix + 'line \n'.length + digits);
  }
  return total;
}

/** Sizes of `base` and its rotated `base.1`, `base.2`… in `dir`, each inode counted once. */
function bytesIn(dir: string, base: string): number {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  const seen = new Set<number>();
  let total = 0;
  for (const name of names) {
    if (name !== base && !name.startsWith(`${base}.`)) continue;
    try {
      const { ino, size } = statSync(join(dir, name));
      if (seen.has(ino)) continue;
      seen.add(ino);
      total += size;
    } catch {
      // renamed by a rotation in between: the next poll sees it under its new name
    }
  }
  return total;
}

/** `path` and its rotated files (`path.N`, older as N grows), oldest first. */
function withRotations(path: string): string[] {
  const dir = path.slice(0, path.lastIndexOf('/'));
  const base = path.slice(path.lastIndexOf('/') + 1);
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const rotated = names
    .filter((name) => /^\d+$/.test(name.slice(base.length + 1)) && name.startsWith(`${base}.`))
    .map((name) => Number(name.slice(base.length + 1)))
    .sort((a, b) => b - a)
    .map((n) => `${path}.${n}`);
  return [...rotated, ...(names.includes(base) ? [path] : [])];
}

/** Polls until the files hold `expected` bytes; the monotonic ns at which they did, or null. */
/**
 * Polls until the files hold `expected` bytes; the monotonic ns at which they did, or null once
 * they stop growing after `started` settled. Polling begins before the start command returns:
 * a slow CLI must not hide (or add to) the time the lines took.
 */
async function waitForBytes(
  file: string,
  expected: number,
  started: Promise<void>,
): Promise<bigint | null> {
  const dir = file.slice(0, file.lastIndexOf('/'));
  const base = file.slice(file.lastIndexOf('/') + 1);
  let settled = false;
  void started.finally(() => {
    settled = true;
  });
  let last = -1;
  let lastChange = nowNs();
  for (;;) {
    const bytes = bytesIn(dir, base);
    const at = nowNs();
    if (bytes >= expected) return at;
    if (bytes !== last || !settled) {
      last = bytes;
      lastChange = at;
    } else if (Number(at - lastChange) / 1e6 > STALL_MS) {
      return null;
    }
    await sleep(POLL_MS);
  }
}

type Integrity = Pick<LogsDaemonRow, 'lost' | 'duplicated' | 'reordered'>;

/** Reads every line of `files` (oldest first) and checks `line 0` … `line <count-1>`. */
function integrity(files: string[], prefix: number, count: number): Integrity {
  const seen = new Uint8Array(count);
  let duplicated = 0;
  let reordered = 0;
  let previous = -1;
  for (const file of files) {
    const text = readFileSync(file, 'latin1');
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end === -1) end = text.length;
      const n = Number(text.slice(start + prefix + 'line '.length, end));
      start = end + 1;
      if (!Number.isInteger(n) || n < 0 || n >= count) continue; // not a fixture line
      if (seen[n]) duplicated++;
      seen[n] = 1;
      if (n < previous) reordered++;
      previous = n;
    }
  }
  let present = 0;
  for (const value of seen) present += value;
  return { lost: count - present, duplicated, reordered };
}

/** CPU ns `pids` have used so far, all their threads (scheduler statistics); null if unreadable. */
function cpuNs(pids: readonly number[]): number | null {
  if (pids.length === 0) return null;
  try {
    let total = 0;
    for (const pid of pids) {
      for (const task of readdirSync(`/proc/${pid}/task`)) {
        total += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
      }
    }
    return total;
  } catch {
    return null;
  }
}

function readMark(run: Run): bigint {
  return BigInt(readFileSync(join(run.dir, 'first-write'), 'utf8'));
}

/** (a) the floor: the shell pipes the fixture straight into `cat`. */
function catPipeline(lines: number): Pipeline {
  let shell: Promise<unknown> = Promise.resolve();
  return {
    label: 'node fixture | cat > file (baseline)',
    prefix: 0,
    logFile: (run) => join(run.dir, 'out.log'),
    managerPids: () => [],
    async start(run) {
      const child = spawn(
        'sh',
        ['-c', `"${process.execPath}" "${run.script}" ${lines} | cat > "${run.dir}/out.log"`],
        { stdio: 'ignore' },
      );
      shell = new Promise((resolve) => child.once('close', resolve));
    },
    async cleanup() {
      await shell;
    },
  };
}

/** (b) guv's daemon: `guv start <fixture> --restart never`, its `logs/<name>/out.log*`. */
function guvPipeline(driver: ManagerDriver, lines: number): Pipeline {
  const cli = (...args: string[]) =>
    runChecked([process.execPath, guvBin, ...args], { env: driver.env });
  return {
    label: `guv daemon (rotation at ${GUV_LOGS.maxBytes / 1024 / 1024} MiB, ${GUV_LOGS.keep} kept)`,
    prefix: GUV_PREFIX,
    logFile: (run) => join(driver.home, 'logs', run.name, 'out.log'),
    managerPids: () => driver.ownPids(),
    async start(run) {
      await cli('start', run.script, '--name', run.name, '--restart', 'never', '--', String(lines));
    },
    async cleanup(run) {
      await cli('remove', run.name).catch(() => {});
      removeDir(join(driver.home, 'logs', run.name));
    },
  };
}

/** (c) pm2's daemon: `pm2 start <fixture> --no-autorestart`, its `logs/<name>-out.log`. */
function pm2Pipeline(driver: ManagerDriver, lines: number): Pipeline {
  const cli = (...args: string[]) =>
    runChecked([process.execPath, pm2Bin, ...args], { env: driver.env });
  return {
    label: 'pm2 7.0.4 daemon (no rotation, raw lines)',
    prefix: 0,
    logFile: (run) => join(driver.home, 'logs', `${run.name}-out.log`),
    managerPids: () => driver.ownPids(),
    async start(run) {
      await cli('start', run.script, '--name', run.name, '--no-autorestart', '--', String(lines));
    },
    async cleanup(run) {
      await cli('delete', run.name).catch(() => {});
      for (const suffix of ['out', 'error']) {
        removeDir(join(driver.home, 'logs', `${run.name}-${suffix}.log`));
      }
    },
  };
}

/**
 * 1M numbered stdout lines through `cat`, guv's daemon and pm2's daemon, interleaved `rounds`
 * times: median ms from the fixture's first write until the log file(s) hold every byte, and
 * every line checked (present, once, in order).
 */
export async function benchLogsDaemon(options: LogsDaemonOptions = {}): Promise<LogsDaemonRow[]> {
  const { rounds = 3, lines = 1_000_000, log = () => {} } = options;
  const work = makeTempDir('bench-logs-daemon');
  const guv = createGuvDriver();
  const pm2 = createPm2Driver();
  try {
    mkdirSync(join(guv.home, 'config'), { recursive: true, mode: 0o700 });
    writeFileSync(join(guv.home, 'config', 'guv.json'), JSON.stringify({ logs: GUV_LOGS }));
    // Both daemons up before anything is timed.
    await guv.list();
    await runChecked([process.execPath, pm2Bin, 'ping'], { env: pm2.env });

    const pipelines = [catPipeline(lines), guvPipeline(guv, lines), pm2Pipeline(pm2, lines)];
    const times = pipelines.map(() => [] as number[]);
    const cpu = pipelines.map(() => [] as number[]);
    const checks = pipelines.map(() => ({ lost: 0, duplicated: 0, reordered: 0 }));
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < pipelines.length; k++) {
        const index = (round + k) % pipelines.length;
        const pipeline = pipelines[index]!;
        const dir = join(work, `r${round}-p${index}`);
        mkdirSync(dir);
        const run: Run = { dir, script: join(dir, 'lines.mjs'), name: `lines-${round}-${index}` };
        cpSync(FIXTURE, run.script);
        const manager = pipeline.managerPids();
        const cpuBefore = cpuNs(manager);
        let startReturned = 0n;
        const started = pipeline.start(run).then(() => {
          startReturned = nowNs();
        });
        started.catch(() => {});
        const expected = expectedBytes(lines, pipeline.prefix);
        const done = await waitForBytes(pipeline.logFile(run), expected, started);
        await started;
        const mark = readMark(run);
        const ms = done === null ? Number.NaN : Number(done - mark) / 1e6;
        const cpuAfter = cpuNs(manager);
        if (cpuBefore !== null && cpuAfter !== null) cpu[index]!.push((cpuAfter - cpuBefore) / 1e6);
        // Let the fixture exit and the manager settle before reading and the next run.
        await sleep(200);
        const check = integrity(withRotations(pipeline.logFile(run)), pipeline.prefix, lines);
        for (const key of ['lost', 'duplicated', 'reordered'] as const) {
          checks[index]![key] += check[key];
        }
        times[index]!.push(ms);
        log(
          `round ${round + 1}/${rounds} ${pipeline.label}: ${ms.toFixed(0)} ms ` +
            `(start command returned at ${(Number(startReturned - mark) / 1e6).toFixed(0)} ms` +
            (cpu[index]!.length > 0
              ? `, daemon CPU ${cpu[index]!.at(-1)!.toFixed(0)} ms), `
              : '), ') +
            `lost ${check.lost}, duplicated ${check.duplicated}, reordered ${check.reordered}`,
        );
        await pipeline.cleanup(run);
        killLeftovers(pidsWithCommandLine(dir));
        removeDir(dir);
      }
    }
    const baseline = median(times[0]!);
    return pipelines.map((pipeline, index) => ({
      pipeline: pipeline.label,
      ms: Math.round(median(times[index]!)),
      ratio: Number((median(times[index]!) / baseline).toFixed(2)),
      managerCpuMs: cpu[index]!.length > 0 ? Math.round(median(cpu[index]!)) : null,
      ...checks[index]!,
    }));
  } finally {
    await guv.dispose().catch(() => {});
    await pm2.dispose().catch(() => {});
    killLeftovers(pidsWithCommandLine(work));
    removeDir(work);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await benchLogsDaemon({
    rounds: Number(process.argv[2] ?? 3),
    log: (line) => console.error(line),
  });
  console.log(
    '1,000,000 stdout lines, fixture’s first write → all in the log file, via the daemons',
  );
  console.table(rows);
}

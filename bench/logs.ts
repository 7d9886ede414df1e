import { spawn } from 'node:child_process';
import { createWriteStream, openSync, closeSync, writeSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLineFramer } from '../src/logs/line-framer.js';
import { createLogWriter } from '../src/logs/writer.js';
import { allLines } from '../test/logs/helpers.js';

const FIXTURE = join(import.meta.dirname, '..', 'test', 'logs', 'fixtures', 'numbered-lines.mjs');
const LINES = 1_000_000;

export interface LogsBenchRow {
  pipeline: string;
  /** Median ms from the child's first stdout write until every line is in the file. */
  ms: number;
  /** ms divided by the `cat > file` baseline's. */
  ratio: number;
  lost: number;
  duplicated: number;
  reordered: number;
}

type Pipeline = (file: string) => Promise<{ firstWrite: number; done: number }>;

const epochNow = (): number => performance.timeOrigin + performance.now();

function firstWriteOf(stderr: NodeJS.ReadableStream): Promise<number> {
  return new Promise((resolve) => {
    let text = '';
    stderr.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve(Number(text.slice(0, text.indexOf('\n'))));
    });
  });
}

const env = { ...process.env, GUV_MARK_FIRST_WRITE: '1' };

/** (a) the floor: the shell pipes the child straight into `cat`. */
const viaCat: Pipeline = async (file) => {
  const shell = spawn(
    'sh',
    ['-c', `"${process.execPath}" "${FIXTURE}" ${LINES} | cat > "${file}"`],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env,
    },
  );
  const firstWrite = firstWriteOf(shell.stderr!);
  await new Promise((resolve) => shell.once('close', resolve));
  return { firstWrite: await firstWrite, done: epochNow() };
};

/** Spawns the fixture and hands its stdout chunks to `sink`; resolves when the child is done. */
async function feed(
  sink: (chunk: Buffer, pause: () => void, resume: () => void) => void,
): Promise<number> {
  const child = spawn(process.execPath, [FIXTURE, String(LINES)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  const firstWrite = firstWriteOf(child.stderr!);
  const pause = () => child.stdout!.pause();
  const resume = () => child.stdout!.resume();
  child.stdout!.on('data', (chunk: Buffer) => sink(chunk, pause, resume));
  await new Promise((resolve) => child.once('close', resolve));
  return firstWrite;
}

/** (b) guv's writer, as the daemon uses it. */
const viaGuvWriter: Pipeline = async (file) => {
  const writer = createLogWriter({ path: file });
  const firstWrite = await feed((chunk, pause, resume) => {
    if (!writer.write(chunk)) {
      pause();
      writer.once('drain', resume);
    }
  });
  await writer.close();
  return { firstWrite, done: epochNow() };
};

/** For comparison only: the same framing written with blocking `writeSync` (no rotation). */
const viaWriteSync: Pipeline = async (file) => {
  const framer = createLineFramer(Date.now);
  const fd = openSync(file, 'a');
  const firstWrite = await feed((chunk) => {
    const lines = framer.frame(chunk);
    if (lines) writeSync(fd, lines);
  });
  closeSync(fd);
  return { firstWrite, done: epochNow() };
};

/** For comparison only: the same framing into an `fs.WriteStream` (no rotation). */
const viaWriteStream: Pipeline = async (file) => {
  const framer = createLineFramer(Date.now);
  const stream = createWriteStream(file, { flags: 'a' });
  const firstWrite = await feed((chunk, pause, resume) => {
    const lines = framer.frame(chunk);
    if (lines && !stream.write(lines)) {
      pause();
      stream.once('drain', resume);
    }
  });
  await new Promise((resolve) => stream.end(resolve));
  return { firstWrite, done: epochNow() };
};

function integrity(lines: string[]): Pick<LogsBenchRow, 'lost' | 'duplicated' | 'reordered'> {
  const seen = new Uint8Array(LINES);
  let duplicated = 0;
  let reordered = 0;
  let previous = -1;
  for (const line of lines) {
    const n = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (seen[n]) duplicated++;
    seen[n] = 1;
    if (n < previous) reordered++;
    previous = n;
  }
  return { lost: seen.length - seen.reduce((sum, v) => sum + v, 0), duplicated, reordered };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

/** 1M lines from a child process into a log file, several ways; runs each `rounds` times, interleaved. */
export async function benchLogs(rounds = 3): Promise<LogsBenchRow[]> {
  const pipelines: Array<[string, Pipeline]> = [
    ['node fixture | cat > file (baseline)', viaCat],
    ['guv createLogWriter (async writev, rotation)', viaGuvWriter],
    ['same framing + fs.writeSync (reference)', viaWriteSync],
    ['same framing + fs.WriteStream (reference)', viaWriteStream],
  ];
  const dir = await mkdtemp(join(tmpdir(), 'guv-bench-logs-'));
  const times = pipelines.map(() => [] as number[]);
  const checks: Array<ReturnType<typeof integrity>> = [];
  try {
    for (let round = 0; round < rounds; round++) {
      for (const [index, [, pipeline]] of pipelines.entries()) {
        const file = join(dir, `${round}-${index}`, 'out.log');
        await mkdir(join(dir, `${round}-${index}`));
        const { firstWrite, done } = await pipeline(file);
        times[index]!.push(done - firstWrite);
        if (round === 0) checks[index] = integrity(await allLines(file));
        await rm(join(dir, `${round}-${index}`), { recursive: true, force: true });
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const baseline = median(times[0]!);
  return pipelines.map(([pipeline], index) => ({
    pipeline,
    ms: Math.round(median(times[index]!)),
    ratio: Number((median(times[index]!) / baseline).toFixed(2)),
    ...checks[index]!,
  }));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await benchLogs(Number(process.argv[2] ?? 3));
  console.log(`${LINES.toLocaleString('en')} stdout lines, child's first write → all in the file`);
  console.table(rows);
}

import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeLogPath, logFilePath } from '../../src/logs/format.js';
import { readLastRecords } from '../../src/logs/reader.js';
import { linesFromEnd } from '../../src/logs/read-backward.js';
import { createLogWriter } from '../../src/logs/writer.js';
import { tempDir } from './helpers.js';

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => ({ dir, remove } = await tempDir()));
afterEach(() => remove());

/** Writes `entries` ([time, file, message]) through writers with a small maxBytes. */
async function writeLogs(entries: Array<[number, string, string]>, maxBytes = 1024) {
  let clock = 0;
  const writers = new Map<string, ReturnType<typeof createLogWriter>>();
  for (const [time, path, message] of entries) {
    let writer = writers.get(path);
    if (!writer) {
      writer = createLogWriter({ path, maxBytes, keep: 50, now: () => clock });
      writers.set(path, writer);
    }
    clock = time;
    writer.write(Buffer.from(`${message}\n`));
  }
  await Promise.all([...writers.values()].map((writer) => writer.close()));
}

describe('readLastRecords', () => {
  it('reads the last lines across rotated files, oldest first', async () => {
    const out = logFilePath(dir, 'api', 'info');
    await writeLogs(Array.from({ length: 500 }, (_, i) => [i, out, `line ${i}`]));
    const records = await readLastRecords([out], { lines: 120 });
    expect(records.map((r) => r.message)).toEqual(
      Array.from({ length: 120 }, (_, i) => `line ${380 + i}`),
    );
    expect(records[0]).toEqual({ time: 380, level: 'info', process: 'api', message: 'line 380' });
    const all = await readLastRecords([out], { lines: 10_000 });
    expect(all).toHaveLength(500);
  });

  it('merges streams and processes by time, filters by level and pattern', async () => {
    const apiOut = logFilePath(dir, 'api', 'info');
    const apiErr = logFilePath(dir, 'api', 'error');
    const workerOut = logFilePath(dir, 'web', 'info', 1);
    await writeLogs([
      [1, apiOut, 'api started'],
      [2, workerOut, 'web listening'],
      [3, apiErr, 'api failed: ECONNREFUSED'],
      [4, apiOut, 'api retrying'],
      [5, workerOut, 'web GET /'],
      [6, apiErr, 'api failed again'],
    ]);
    const files = [apiOut, apiErr, workerOut];
    const show = (records: Awaited<ReturnType<typeof readLastRecords>>) =>
      records.map((r) => `${r.time} ${r.process} ${r.level} ${r.message}`);
    expect(show(await readLastRecords(files, { lines: 4 }))).toEqual([
      '3 api error api failed: ECONNREFUSED',
      '4 api info api retrying',
      '5 web/worker-1 info web GET /',
      '6 api error api failed again',
    ]);
    expect(show(await readLastRecords(files, { lines: 10, level: 'error' }))).toEqual([
      '3 api error api failed: ECONNREFUSED',
      '6 api error api failed again',
    ]);
    expect(show(await readLastRecords(files, { lines: 1, grep: /^web/g }))).toEqual([
      '5 web/worker-1 info web GET /',
    ]);
    expect(show(await readLastRecords(files, { lines: 10, grep: /started|listening/g }))).toEqual([
      '1 api info api started',
      '2 web/worker-1 info web listening',
    ]);
  });

  it('returns nothing for files that do not exist', async () => {
    expect(await readLastRecords([join(dir, 'nope', 'out.log')], { lines: 5 })).toEqual([]);
  });
});

describe('linesFromEnd', () => {
  it('reads lines backwards across block boundaries, multi-byte text intact', async () => {
    const path = join(dir, 'x', 'out.log');
    const messages = Array.from({ length: 300 }, (_, i) => `${i} ${'é✓'.repeat(i % 7)}`);
    await writeLogs(
      messages.map((m, i) => [i, path, m]),
      1_000_000,
    );
    const lines: string[] = [];
    for await (const line of linesFromEnd(path, 37)) lines.push(line.slice(25));
    expect(lines).toEqual([...messages].reverse());
  });
});

describe('describeLogPath', () => {
  it('reads process and level from the file layout', () => {
    expect(describeLogPath('/l/api/err.log')).toMatchObject({ process: 'api', level: 'error' });
    expect(describeLogPath('/l/api/worker-3.warn.log')).toMatchObject({
      process: 'api/worker-3',
      level: 'warn',
    });
  });
});

import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LogFollower, followLogs } from '../../src/logs/follow.js';
import type { LogLine } from '../../src/logs/records.js';
import { createLogWriter } from '../../src/logs/writer.js';
import { sequenceProblems, tempDir } from './helpers.js';

let dir: string;
let remove: () => Promise<void>;
let follower: LogFollower | null = null;
beforeEach(async () => ({ dir, remove } = await tempDir()));
afterEach(async () => {
  await follower?.close();
  follower = null;
  await remove();
});

const until = async (done: () => boolean, ms = 5_000) => {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
};

describe('followLogs', () => {
  it('starts at the end and follows through several rotations between two checks', async () => {
    const path = join(dir, 'api', 'out.log');
    const writer = createLogWriter({ path, maxBytes: 400, keep: 20 });
    writer.write(Buffer.from('old 1\nold 2\n'));
    await writer.flush();
    const seen: LogLine[] = [];
    follower = followLogs([path], (record) => seen.push(record), { intervalMs: 50 });
    await new Promise((r) => setTimeout(r, 80));
    for (let i = 0; i < 100; i++) writer.write(Buffer.from(`line ${i}\n`));
    await writer.flush();
    await until(() => seen.length >= 100);
    for (let i = 100; i < 200; i++) writer.write(Buffer.from(`line ${i}\n`));
    await writer.close();
    await until(() => seen.length >= 200);
    await new Promise((r) => setTimeout(r, 120));
    expect(
      sequenceProblems(
        seen.map((r) => r.message),
        200,
      ),
    ).toEqual([]);
  });

  it('reads from the start when asked, filters, and holds a line until it ends', async () => {
    const path = join(dir, 'api', 'err.log');
    await mkdir(join(dir, 'api'));
    await appendFile(path, '2026-01-01T00:00:00.000Z boom\n');
    const seen: LogLine[] = [];
    follower = followLogs([path], (record) => seen.push(record), {
      fromEnd: false,
      intervalMs: 20,
      grep: /boom/,
    });
    await until(() => seen.length === 1);
    await appendFile(path, '2026-01-01T00:00:01.000Z quiet\n2026-01-01T00:00:02.000Z bo');
    await new Promise((r) => setTimeout(r, 60));
    expect(seen).toHaveLength(1);
    await appendFile(path, 'om again\n');
    await until(() => seen.length === 2);
    expect(seen).toEqual([
      {
        time: Date.parse('2026-01-01T00:00:00.000Z'),
        level: 'error',
        process: 'api',
        message: 'boom',
      },
      {
        time: Date.parse('2026-01-01T00:00:02.000Z'),
        level: 'error',
        process: 'api',
        message: 'boom again',
      },
    ]);
  });
});

import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { followLogs } from '../../src/logs/follow.js';
import { createLogWriter } from '../../src/logs/writer.js';
import { allLines, message, sequenceProblems, tempDir } from './helpers.js';

const fixture = join(import.meta.dirname, 'fixtures', 'numbered-lines.mjs');
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve();
    else child.once('close', () => resolve());
  });
}

describe('a real child piped into a writer', () => {
  it('loses, doubles and reorders nothing at 20,000 lines/s while rotating and followed', async () => {
    const { dir, remove } = await tempDir();
    cleanups.push(remove);
    const path = join(dir, 'api', 'out.log');
    const writer = createLogWriter({ path, maxBytes: 64 * 1024, keep: 200 });
    const followed: string[] = [];
    const follower = followLogs([path], (r) => followed.push(r.message), {
      fromEnd: false,
      intervalMs: 25,
    });
    cleanups.push(() => follower.close());

    const total = 40_000;
    const child = spawn(process.execPath, [fixture, String(total), '20000'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanups.push(() => child.kill('SIGKILL'));
    child.stdout!.on('data', (chunk: Buffer) => {
      if (!writer.write(chunk)) {
        child.stdout!.pause();
        writer.once('drain', () => child.stdout!.resume());
      }
    });
    await exited(child);
    await writer.close();

    expect(sequenceProblems((await allLines(path)).map(message), total)).toEqual([]);
    const deadline = Date.now() + 3_000;
    while (followed.length < total && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(sequenceProblems(followed, total)).toEqual([]);
  });
});

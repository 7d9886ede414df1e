import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createStateSaver, type SavedState } from '../../src/persistence/saved-state.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function state(restarts: number): SavedState {
  return {
    version: 1,
    cleanShutdown: false,
    processes: [
      { definition: {} as never, desired: 'running', pid: null, pidStartTime: null, restarts },
    ],
  };
}

it('coalesces concurrent flushes into at most two writes, the last holding every change', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'guv-saver-'));
  dirs.push(dir);
  const file = join(dir, 'processes.json');
  let version = 0;
  let snapshots = 0;
  const saver = createStateSaver(
    file,
    () => {
      snapshots++;
      return state(version);
    },
    (error) => {
      throw error;
    },
  );
  const flushes: Promise<void>[] = [];
  for (let i = 1; i <= 20; i++) {
    version = i;
    flushes.push(saver.flush());
  }
  await Promise.all(flushes);
  expect(snapshots).toBeLessThanOrEqual(2);
  expect(JSON.parse(readFileSync(file, 'utf8')).processes[0].restarts).toBe(20);
});

it('a scheduled write happens once after a burst of changes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'guv-saver-'));
  dirs.push(dir);
  const file = join(dir, 'processes.json');
  let snapshots = 0;
  const saver = createStateSaver(
    file,
    () => (snapshots++, state(snapshots)),
    () => {},
  );
  for (let i = 0; i < 100; i++) saver.schedule(10);
  await new Promise((resolve) => setTimeout(resolve, 100));
  await saver.flush();
  expect(snapshots).toBe(2);
});

import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nowNs, waitFor } from './timing.js';

/** The pids that have marked `marksDir` so far (see bench/fixtures/idle.cjs). */
export function markedPids(marksDir: string): Set<string> {
  return new Set(readdirSync(marksDir));
}

/**
 * Waits for a mark from a pid not in `before` and returns that pid with the monotonic time at
 * which its code ran. A mark can be caught between its creation and its write: read again.
 */
export function waitForNewMark(
  marksDir: string,
  before: ReadonlySet<string>,
  timeoutMs = 20_000,
): Promise<{ pid: number; ns: bigint }> {
  return waitFor(
    'a new run of the fixture',
    () => {
      for (const name of readdirSync(marksDir)) {
        if (before.has(name)) continue;
        const text = readFileSync(join(marksDir, name), 'utf8');
        if (text !== '') return { pid: Number(name), ns: BigInt(text) };
      }
      return undefined;
    },
    { timeoutMs, intervalMs: 2 },
  );
}

/** Milliseconds from spawning `node <script>` until the script's code runs (its mark). */
export async function timePlainNodeStart(script: string, marksDir: string): Promise<number> {
  const before = markedPids(marksDir);
  const start = nowNs();
  const child = spawn(process.execPath, [script], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const mark = await waitForNewMark(marksDir, before);
    if (mark.pid !== child.pid) throw new Error(`unexpected mark from pid ${mark.pid}`);
    return Number(mark.ns - start) / 1e6;
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

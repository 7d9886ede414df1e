import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { createHeavyWorkPool } from '../src/heap/pool.js';
import { ensureHeavyWorkerBuilt } from '../test/heap/build-worker.js';
import { writeSnapshotWith } from '../test/heap/write-snapshot.js';

export interface HeapBenchRow {
  figure: string;
  value: number;
  unit: string;
  goal: string;
}

const RESOLUTION_MS = 10;

/**
 * Writes a ~100 MB heap snapshot from a child, summarises it in the heavy-work pool and measures
 * what the main thread (the daemon's, in real life) feels meanwhile: its event-loop delay.
 */
export async function benchHeap({ paddingObjects = 350_000 } = {}): Promise<HeapBenchRow[]> {
  ensureHeavyWorkerBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'guv-bench-heap-'));
  const pool = createHeavyWorkPool();
  try {
    const snapshot = join(dir, 'big.heapsnapshot');
    const writeStart = performance.now();
    await writeSnapshotWith(snapshot, { className: 'Leaky', count: 100_000, paddingObjects });
    const writeMs = performance.now() - writeStart;
    const fileBytes = statSync(snapshot).size;

    const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    delay.enable();
    const start = performance.now();
    const scan = await pool.summariseHeap(snapshot, { top: 10 });
    const wallMs = performance.now() - start;
    delay.disable();
    // The same wait with nothing running: what the machine's load alone costs the loop.
    const idle = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    idle.enable();
    await new Promise((resolve) => setTimeout(resolve, wallMs));
    idle.disable();
    // The histogram records whole sampling intervals: the delay is what exceeds the resolution.
    const lag = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
    const leaky = scan.constructors.find((row) => row.constructor === 'Leaky');
    if (leaky?.count !== 100_000) throw new Error('the summary did not find the 100 000 Leaky');

    return [
      { figure: 'snapshot size', value: round(fileBytes / 1e6), unit: 'MB', goal: '~100' },
      { figure: 'snapshot nodes', value: scan.nodeCount, unit: '', goal: '' },
      { figure: 'writing the snapshot (child)', value: Math.round(writeMs), unit: 'ms', goal: '' },
      {
        figure: 'summary wall time (pool, incl. thread start)',
        value: Math.round(wallMs),
        unit: 'ms',
        goal: '',
      },
      {
        figure: 'summary throughput',
        value: round(fileBytes / 1e6 / (wallMs / 1000)),
        unit: 'MB/s',
        goal: '',
      },
      {
        figure: 'worker peak V8 heap',
        value: round(scan.peakHeapBytes / 1e6),
        unit: 'MB',
        goal: '≪ file size',
      },
      {
        figure: 'main loop delay p99 during summary',
        value: round(lag(delay.percentile(99))),
        unit: 'ms',
        goal: '≤ 20',
      },
      {
        figure: 'main loop delay max during summary',
        value: round(lag(delay.max)),
        unit: 'ms',
        goal: '',
      },
      {
        figure: 'main loop delay p99, idle, same length',
        value: round(lag(idle.percentile(99))),
        unit: 'ms',
        goal: 'baseline',
      },
      {
        figure: 'machine load average (1 min)',
        value: round(loadavg()[0]!),
        unit: '',
        goal: `${cpus().length} cores`,
      },
    ];
  } finally {
    await pool.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function printTable(rows: HeapBenchRow[]): void {
  const width = Math.max(...rows.map((row) => row.figure.length));
  for (const row of rows) {
    const value = row.value.toLocaleString('en');
    console.log(
      `${row.figure.padEnd(width)}  ${value.padStart(12)} ${row.unit.padEnd(4)} ${row.goal}`,
    );
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printTable(await benchHeap());
}

import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import mittModule from 'mitt';
import { createBus } from '../src/bus/bus.js';
import type { BusEvent } from '../src/bus/events.js';
import type { ClusterInfo, LogRecord, ProcessInfo, WorkerInfo } from '../src/types/info.js';

export interface BusBenchRow {
  case: string;
  eventsPerSecond: number;
}

// See src/bus/bus.ts: mitt's types and its ESM build disagree about the default export.
const mitt: typeof mittModule.default =
  typeof mittModule === 'function' ? mittModule : mittModule.default;

const info: ProcessInfo = {
  id: 'p1',
  name: 'web',
  script: '/srv/web.js',
  pid: 4242,
  status: 'running',
  restarts: 0,
  startedAt: 0,
};
const cluster: ClusterInfo = { ...info, id: 'c1', instances: 4 };
const worker: WorkerInfo = {
  id: 'c1.0',
  index: 0,
  name: 'web#0',
  pid: 4343,
  status: 'running',
  restarts: 0,
  startedAt: 0,
};
const log: LogRecord = { date: 0, message: 'hello' };

/** A realistic mix: lifecycle events and log lines from processes, workers and the daemon. */
const mixedEvents: BusEvent[] = [
  { type: 'process:exit', args: [info, null, 0, null] },
  { type: 'process:log:info', args: [info, log] },
  { type: 'process:log:error', args: [info, log] },
  { type: 'worker:log:info', args: [cluster, worker, log] },
  { type: 'worker:exit', args: [cluster, worker, 1, 'SIGKILL'] },
  { type: 'daemon:log:error', args: [log] },
  { type: 'cluster:ready', args: [cluster] },
  { type: 'process:ready', args: [info] },
];

const patterns = [
  'process:*',
  '*:log:error',
  'worker:log:*',
  'cluster:*',
  '*:exit',
  'daemon:*',
  'app:*',
  '*:log:*',
  'worker:*',
  '*:ready',
];

/**
 * Events per second through the bus (and raw mitt for comparison), each case run for about
 * `durationMs`. `isWatched` is counted in checks per second.
 */
export async function benchBus(options: { durationMs?: number } = {}): Promise<BusBenchRow[]> {
  const durationMs = options.durationMs ?? 1000;
  const rows: BusBenchRow[] = [];
  let received = 0;
  const count = () => {
    received++;
  };

  const exact = createBus();
  exact.on('process:exit', count);
  rows.push(
    measure('guv: 1 exact listener', durationMs, () =>
      exact.emit('process:exit', info, null, 0, null),
    ),
  );

  const wildcard = createBus();
  wildcard.on('*', count);
  rows.push(
    measure("guv: 1 '*' listener", durationMs, () =>
      wildcard.emit('process:exit', info, null, 0, null),
    ),
  );

  const many = createBus();
  for (let i = 0; i < 100; i++) many.onMatch(patterns[i % patterns.length]!, count);
  let next = 0;
  rows.push(
    measure('guv: 100 pattern listeners, mixed events', durationMs, () => {
      many.emitEvent(mixedEvents[next]!);
      next = (next + 1) % mixedEvents.length;
    }),
  );

  const quiet = createBus();
  quiet.on('process:exit', count);
  quiet.on('worker:*', count);
  let watched = 0;
  rows.push(
    measure('guv: isWatched on an unwatched log event (checks/s)', durationMs, () => {
      if (quiet.isWatched('process:log:debug')) watched++;
    }),
  );

  const rawArgs = [info, null, 0, null];
  const rawExact = mitt<Record<string, unknown>>();
  rawExact.on('process:exit', count);
  rows.push(
    measure('mitt: 1 exact listener', durationMs, () => rawExact.emit('process:exit', rawArgs)),
  );

  const rawWildcard = mitt<Record<string, unknown>>();
  rawWildcard.on('*', count);
  rows.push(
    measure("mitt: 1 '*' listener", durationMs, () => rawWildcard.emit('process:exit', rawArgs)),
  );

  // Keeps the listeners observable so no engine can drop them as dead code.
  if (received === 0 || watched !== 0) throw new Error('bus bench: listeners did not run');
  return rows;
}

function measure(name: string, durationMs: number, emitOne: () => void): BusBenchRow {
  const batch = 10_000;
  const warmUntil = performance.now() + Math.min(200, durationMs / 5);
  while (performance.now() < warmUntil) for (let i = 0; i < batch; i++) emitOne();

  let events = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < batch; i++) emitOne();
    events += batch;
    elapsed = performance.now() - start;
  } while (elapsed < durationMs);
  return { case: name, eventsPerSecond: Math.round((events / elapsed) * 1000) };
}

function printTable(rows: BusBenchRow[]): void {
  const width = Math.max(...rows.map((row) => row.case.length));
  console.log(`${'case'.padEnd(width)}  ${'events/s'.padStart(14)}`);
  for (const row of rows) {
    console.log(
      `${row.case.padEnd(width)}  ${row.eventsPerSecond.toLocaleString('en').padStart(14)}`,
    );
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printTable(await benchBus());
}

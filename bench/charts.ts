import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type Actor, createActor, createMachine, SimulatedClock } from 'xstate';
import { createBus } from '../src/bus/bus.js';
import { type ProcessMachine, processMachine } from '../src/machines/index.js';
import { createFakeChild, testSpec } from '../src/testing/index.js';

export interface ChartBenchRow {
  case: string;
  actors: number;
  events: number;
  eventsPerSecond: number;
  /** Heap held per actor once all are running, in bytes (null when not measured). */
  heapPerActor: number | null;
  /** The same after the drive, with each actor's history at its bound. */
  heapPerActorAfter: number | null;
}

export interface ChartBenchOptions {
  actors?: number;
  events?: number;
}

// Events each actor takes per crash cycle: 2 heartbeats, exit, restart timer, forked, started, ready.
const EVENTS_PER_CYCLE = 7;

/**
 * 1,000 process actors on one simulated clock, a shared fake child and a real bus with a
 * `process:*` listener, driven through heartbeat / crash / restart cycles; and, for
 * comparison, plain XState on a two-state toggle.
 */
export async function benchCharts(options: ChartBenchOptions = {}): Promise<ChartBenchRow[]> {
  const actorCount = options.actors ?? 1000;
  const target = options.events ?? 100_000;
  return [supervisionRow(actorCount, target), toggleRow(target)];
}

function supervisionRow(actorCount: number, target: number): ChartBenchRow {
  const gc = exposeGc();
  const bus = createBus();
  let published = 0;
  bus.on('process:*', () => {
    published++;
  });
  // One clock per actor: SimulatedClock re-sorts all its timers whenever a firing timer sets
  // another, which is quadratic with 1,000 actors on one clock; the daemon's real timers are not.
  const clocks = Array.from({ length: actorCount }, () => new SimulatedClock());
  const child = createFakeChild();
  const machine = processMachine.provide({
    actors: { child: child.logic },
    actions: { publish: (_, event) => bus.emitEvent(event) },
  });
  const ids = Array.from({ length: actorCount }, (_, i) => `p${i}`);

  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const actors: Actor<ProcessMachine>[] = ids.map((id, i) => {
    const clock = clocks[i] as SimulatedClock;
    return createActor(machine, { clock, input: { id, spec: testSpec(), clock } }).start();
  });
  for (const [i, actor] of actors.entries()) {
    const id = ids[i] as string;
    actor.send({ type: 'START' });
    child.fork(i + 1, id);
    child.started(id);
    child.ready(id);
  }
  // The child's commands are recorded forever; drop them so the heap figure is the charts'.
  child.commands.length = 0;
  child.inputs.length = 0;
  gc();
  const heapPerActor = Math.round((process.memoryUsage().heapUsed - heapBefore) / actorCount);

  let events = 0;
  const start = performance.now();
  while (events < target) {
    for (const id of ids) {
      child.heartbeat(id);
      child.heartbeat(id);
    }
    // Each run outlives stableMs, so every crash restarts at once and nothing is aborted.
    for (const clock of clocks) clock.increment(30_000);
    for (const id of ids) child.exit(1, null, id);
    for (const clock of clocks) clock.increment(0);
    for (const [i, id] of ids.entries()) {
      child.fork(i + 1, id);
      child.started(id);
      child.ready(id);
    }
    child.inputs.length = 0;
    events += actorCount * EVENTS_PER_CYCLE;
  }
  const seconds = (performance.now() - start) / 1000;
  gc();
  const heapPerActorAfter = Math.round((process.memoryUsage().heapUsed - heapBefore) / actorCount);
  for (const actor of actors) {
    if (actor.getSnapshot().context.status !== 'running')
      throw new Error('bench drove an actor off course');
    actor.stop();
  }
  if (published === 0) throw new Error('nothing reached the bus');
  return {
    case: `process chart ×${actorCount} (real bus)`,
    actors: actorCount,
    events,
    eventsPerSecond: Math.round(events / seconds),
    heapPerActor,
    heapPerActorAfter,
  };
}

function toggleRow(target: number): ChartBenchRow {
  const toggle = createMachine({
    initial: 'off',
    states: { off: { on: { TOGGLE: 'on' } }, on: { on: { TOGGLE: 'off' } } },
  });
  const actor = createActor(toggle).start();
  const start = performance.now();
  for (let i = 0; i < target; i++) actor.send({ type: 'TOGGLE' });
  const seconds = (performance.now() - start) / 1000;
  actor.stop();
  return {
    case: 'plain XState toggle ×1',
    actors: 1,
    events: target,
    eventsPerSecond: Math.round(target / seconds),
    heapPerActor: null,
    heapPerActorAfter: null,
  };
}

function exposeGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function printTable(rows: ChartBenchRow[]): void {
  const width = Math.max(...rows.map((row) => row.case.length));
  const kib = (bytes: number | null) => (bytes === null ? '' : `${(bytes / 1024).toFixed(1)} KiB`);
  console.log(
    `${'case'.padEnd(width)}  ${'events'.padStart(9)}  ${'events/s'.padStart(11)}  ` +
      `${'heap/actor'.padStart(10)}  ${'after drive'.padStart(11)}`,
  );
  for (const row of rows) {
    console.log(
      `${row.case.padEnd(width)}  ${row.events.toLocaleString('en').padStart(9)}  ` +
        `${row.eventsPerSecond.toLocaleString('en').padStart(11)}  ${kib(row.heapPerActor).padStart(10)}  ` +
        `${kib(row.heapPerActorAfter).padStart(11)}`,
    );
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printTable(await benchCharts());
}

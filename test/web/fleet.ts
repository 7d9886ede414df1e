import { type Actor, createActor } from 'xstate';
import { type Bus, createBus } from '../../src/bus/index.js';
import { type ChartRegistry, createChartRegistry } from '../../src/inspect/index.js';
import { type ProcessMachine, processMachine } from '../../src/machines/index.js';
import { createFakeChild, type FakeChild, testSpec } from '../../src/testing/index.js';

export interface FleetProcess {
  id: string;
  actor: Actor<ProcessMachine>;
  child: FakeChild;
}

/** Real process charts on a real bus, each with a scripted child, tracked by one registry. */
export interface Fleet {
  registry: ChartRegistry;
  bus: Bus;
  processes: FleetProcess[];
  add(id: string): FleetProcess;
  /** START, fork, ready. */
  run(process: FleetProcess): void;
  stopAll(): void;
}

export function createFleet(count = 0): Fleet {
  const registry = createChartRegistry();
  const bus = createBus();
  const processes: FleetProcess[] = [];
  const add = (id: string): FleetProcess => {
    const child = createFakeChild();
    const machine = processMachine.provide({
      actors: { child: child.logic },
      actions: { publish: (_, event) => bus.emitEvent(event) },
    });
    const actor = createActor(machine, {
      input: {
        id,
        name: id,
        spec: testSpec(),
        clock: { now: Date.now },
        policy: { mode: 'on-failure', backoffBaseMs: 300 },
        timeouts: { killMs: 60_000 },
      },
      inspect: registry.inspect,
    }).start();
    registry.track({ id, kind: 'process', name: id, chart: 'process', actor });
    const process = { id, actor, child };
    processes.push(process);
    return process;
  };
  for (let i = 0; i < count; i++) add(`app-${String(i).padStart(3, '0')}`);
  return {
    registry,
    bus,
    processes,
    add,
    run(process) {
      process.actor.send({ type: 'START', by: 'test' });
      process.child.fork();
      process.child.ready();
    },
    stopAll() {
      for (const { actor } of processes) actor.stop();
    },
  };
}

import { type Actor, type AnyActorRef, createActor, type EventObject, fromCallback } from 'xstate';
import type { ManagerInput } from '../../src/machines/cluster/cluster-types.js';
import { type Bus, createBus } from '../../src/bus/index.js';
import { type ChartRegistry, createChartRegistry } from '../../src/inspect/index.js';
import { provideCluster } from '../../src/machines/cluster/provide-cluster.js';
import { daemonMachine } from '../../src/machines/daemon/daemon-machine.js';
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
  /** The daemon chart (booted) and a cluster of `instances` workers, all tracked. */
  addDaemonAndCluster(instances: number): { cluster: AnyActorRef; child: FakeChild };
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
        policy: { mode: 'on-failure', backoffBaseMs: 5000 },
        timeouts: { killMs: 60_000 },
      },
      inspect: registry.inspect,
    }).start();
    registry.track({ id, kind: 'process', name: id, chart: 'process', actor });
    const process = { id, actor, child };
    processes.push(process);
    return process;
  };
  const extra: AnyActorRef[] = [];
  const addDaemonAndCluster = (instances: number) => {
    const daemon = createActor(daemonMachine, {
      input: { autoresume: false, dumpOnExit: false, clock: { now: Date.now } },
      inspect: registry.inspect,
    }).start();
    registry.track({ id: 'daemon', kind: 'daemon', name: 'guv', chart: 'daemon', actor: daemon });
    daemon.send({ type: 'BOOTED' });
    const child = createFakeChild();
    const manager = fromCallback<EventObject, ManagerInput>(({ sendBack }) => {
      sendBack({ type: 'MANAGER.READY', pid: 500 });
    });
    const cluster = createActor(
      provideCluster({ manager, child: child.logic, publish: (event) => bus.emitEvent(event) }),
      {
        input: { id: 'web', name: 'web', spec: testSpec(), instances, clock: { now: Date.now } },
        inspect: registry.inspect,
      },
    );
    registry.track({
      id: 'web',
      kind: 'cluster',
      name: 'web',
      chart: 'cluster',
      actor: cluster,
      children: { kind: 'worker', chart: 'worker' },
    });
    cluster.start();
    cluster.send({ type: 'START' });
    extra.push(daemon, cluster);
    return { cluster, child };
  };
  for (let i = 0; i < count; i++) add(`app-${String(i).padStart(3, '0')}`);
  return {
    registry,
    bus,
    processes,
    add,
    addDaemonAndCluster,
    run(process) {
      process.actor.send({ type: 'START', by: 'test' });
      process.child.fork();
      process.child.ready();
    },
    stopAll() {
      for (const { actor } of processes) actor.stop();
      for (const actor of extra) actor.stop();
    },
  };
}

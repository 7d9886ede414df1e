import { type Actor, createActor, fromCallback, SimulatedClock } from 'xstate';
import type { BusEvent } from '../../src/bus/events.js';
import type { ClusterMachine } from '../../src/machines/cluster/cluster-machine.js';
import type { ClusterInput, ManagerInput } from '../../src/machines/cluster/cluster-types.js';
import { provideCluster } from '../../src/machines/cluster/provide-cluster.js';
import { createEventRecorder, createFakeChild, testSpec } from '../../src/testing/index.js';
import type { ProcessStatus, SerializedError } from '../../src/types/info.js';

/** A cluster chart wired to the real worker chart, a fake child per worker and a fake manager. */
export function createTestCluster(
  input: Partial<Omit<ClusterInput, 'clock'>> = {},
  /** Makes `publish` throw for matching events: how a test breaks a worker chart. */
  breakOn: (event: BusEvent) => boolean = () => false,
  /** Sends START once the actor runs, as the daemon does on `guv start`. */
  start = true,
) {
  const clock = new SimulatedClock();
  clock.set(10_000);
  const child = createFakeChild();
  const recorder = createEventRecorder();
  let managerBack:
    | ((
        event:
          | { type: 'MANAGER.READY'; pid: number }
          | { type: 'MANAGER.FAILED'; error: SerializedError },
      ) => void)
    | null = null;
  let managerStopped = false;
  let managerRuns = 0;
  const manager = fromCallback<{ type: string }, ManagerInput>(({ sendBack }) => {
    managerBack = sendBack;
    managerRuns += 1;
    managerStopped = false;
    return () => {
      managerStopped = true;
    };
  });
  const logic = provideCluster({
    manager,
    child: child.logic,
    publish: (event: BusEvent) => {
      if (breakOn(event)) throw new Error(`publish broke on ${event.type}`);
      recorder.events.push(event);
    },
  });
  const actor: Actor<ClusterMachine> = createActor(logic, {
    clock,
    input: { id: 'web', name: 'web', spec: testSpec(), instances: 2, ...input, clock },
  });
  const errors: unknown[] = [];
  actor.subscribe({ error: (error) => errors.push(error) });
  actor.start();
  if (start) actor.send({ type: 'START' });

  /** The real worker actors the cluster owns, with their statuses. */
  const workers = () =>
    Object.entries(actor.getSnapshot().children)
      .filter(([id]) => id !== 'manager' && id !== 'watcher')
      .map(([id, ref]) => ({
        id,
        status: (ref!.getSnapshot() as { context: { status: ProcessStatus } }).context.status,
      }));

  return {
    actor,
    clock,
    child,
    recorder,
    errors,
    managerReady: (pid = 500) => managerBack!({ type: 'MANAGER.READY', pid }),
    managerFailed: (error: SerializedError) => managerBack!({ type: 'MANAGER.FAILED', error }),
    /** True once the current run's manager actor was stopped. */
    managerStopped: () => managerStopped,
    /** How many manager actors the chart started: one per run. */
    managerRuns: () => managerRuns,
    workers,
    /** How many of the cluster's worker actors are running right now. */
    running: () => workers().filter((worker) => worker.status === 'running').length,
    /** Forks and readies the fake child of worker `id`. */
    bringUp: (id: string, pid: number) => {
      child.fork(pid, id);
      child.ready(id);
    },
    value: () => actor.getSnapshot().value,
  };
}

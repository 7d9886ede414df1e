import type { CallbackActorLogic, EventObject } from 'xstate';
import type { BusEvent } from '../../bus/events.js';
import type {
  ChildCommand,
  ChildInput,
  WatcherEvent,
  WatcherInput,
} from '../process/child-protocol.js';
import { workerMachine } from '../worker/machine.js';
import { clusterMachine } from './cluster-machine.js';
import type { ManagerInput } from './cluster-types.js';

export interface ClusterEffects {
  /**
   * Starts the cluster manager process: sends MANAGER.READY { pid } once it is up, or
   * MANAGER.FAILED { error } (or throws) when it cannot start or dies; stopping the actor stops it.
   * No worker may outlive its manager (the chart then reports each one gone, killed by SIGKILL).
   */
  manager: CallbackActorLogic<EventObject, ManagerInput>;
  /** The `child` actor of every worker chart (see child-protocol.ts): owns one worker process. */
  child: CallbackActorLogic<ChildCommand, ChildInput>;
  /** Where the cluster's and every worker's transitions go: the bus. */
  publish: (event: BusEvent) => void;
  /** Reports file changes for `--watch` (see child-protocol.ts); none watched without it. */
  watcher?: CallbackActorLogic<WatcherEvent, WatcherInput>;
}

/**
 * The cluster chart with its effects bound, down to its workers: each worker is spawned from
 * `workerMachine.provide({ actors: { child }, actions: { publish } })`, so the cluster's
 * provider decides what runs a worker's process, and every chart publishes on the same bus.
 *
 * @example
 * const logic = provideCluster({ manager, child: realChild, publish: (e) => bus.emit(e.type, ...e.args) });
 * createActor(logic, { input }).start().send({ type: 'START' });
 */
export function provideCluster(effects: ClusterEffects) {
  const publish = (_: unknown, event: BusEvent) => effects.publish(event);
  return clusterMachine.provide({
    actors: {
      manager: effects.manager,
      ...(effects.watcher ? { watcher: effects.watcher } : {}),
      worker: workerMachine.provide({ actors: { child: effects.child }, actions: { publish } }),
    },
    actions: { publish },
  });
}

import { type Actor, createActor, SimulatedClock } from 'xstate';
import type { ProcessSpec } from '../machines/process/child-protocol.js';
import {
  type ProcessInput,
  type ProcessMachine,
  processMachine,
} from '../machines/process/machine.js';
import type { ProcessStatus } from '../types/info.js';
import { type WorkerInput, type WorkerMachine, workerMachine } from '../machines/worker/machine.js';
import { createEventRecorder, type EventRecorder } from './event-recorder.js';
import { createFakeChild, type FakeChild } from './fake-child.js';

/** A chart actor wired to a simulated clock, a fake child and an event recorder. */
export interface TestHarness<TActor> {
  actor: TActor;
  clock: SimulatedClock;
  child: FakeChild;
  recorder: EventRecorder;
  /** Moves simulated time forward, firing due timers. */
  advance(ms: number): void;
  status(): ProcessStatus;
}

/** A spec that is never spawned: the fake child stands in for it. */
export function testSpec(overrides: Partial<ProcessSpec> = {}): ProcessSpec {
  return {
    script: '/srv/app/server.js',
    args: [],
    execArgv: [],
    interpreter: 'node',
    cwd: '/srv/app',
    env: {},
    user: null,
    group: null,
    appReadiness: false,
    ...overrides,
  };
}

/**
 * A started process actor (status `uninitialised`) ready to be driven.
 *
 * @example
 * const { actor, child, recorder } = createTestProcess({ policy: { mode: 'on-failure' } });
 * actor.send({ type: 'START' });
 * child.fork(42);
 * child.ready();
 * expect(recorder.types()).toContain('process:ready');
 */
export function createTestProcess(
  input: Partial<Omit<ProcessInput, 'clock'>> = {},
): TestHarness<Actor<ProcessMachine>> {
  const clock = new SimulatedClock();
  const child = createFakeChild();
  const recorder = createEventRecorder();
  const machine = processMachine.provide({
    actors: { child: child.logic },
    actions: { publish: recorder.publish },
  });
  const actor = createActor(machine, {
    clock,
    input: { id: 'test', name: 'test', spec: testSpec(), ...input, clock },
  }).start();
  return harness(actor, clock, child, recorder);
}

/** The worker equivalent of `createTestProcess`; slot 0 of a cluster named `test`. */
export function createTestWorker(
  input: Partial<Omit<WorkerInput, 'clock'>> = {},
): TestHarness<Actor<WorkerMachine>> {
  const clock = new SimulatedClock();
  const child = createFakeChild();
  const recorder = createEventRecorder();
  const machine = workerMachine.provide({
    actors: { child: child.logic },
    actions: { publish: recorder.publish },
  });
  const cluster = {
    id: 'test',
    name: 'test',
    script: '/srv/app/server.js',
    pid: 100,
    status: 'running' as const,
    restarts: 0,
    startedAt: 0,
    instances: 1,
  };
  const actor = createActor(machine, {
    clock,
    input: { id: 'test.0', index: 0, cluster, spec: testSpec(), ...input, clock },
  }).start();
  return harness(actor, clock, child, recorder);
}

function harness<TActor extends Actor<ProcessMachine> | Actor<WorkerMachine>>(
  actor: TActor,
  clock: SimulatedClock,
  child: FakeChild,
  recorder: EventRecorder,
): TestHarness<TActor> {
  return {
    actor,
    clock,
    child,
    recorder,
    advance: (ms) => clock.increment(ms),
    status: () => actor.getSnapshot().context.status,
  };
}

import { describe, expect, it } from 'vitest';
import {
  type AnyActorLogic,
  createActor,
  type EventObject,
  fromCallback,
  SimulatedClock,
} from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import type { GuvEventName } from '../../src/bus/events.js';
import { clusterMachine } from '../../src/machines/cluster/cluster-machine.js';
import type {
  ClusterContext,
  ClusterEvent,
  ClusterInput,
} from '../../src/machines/cluster/cluster-types.js';
import { createEventRecorder, testSpec } from '../../src/testing/index.js';
import type { ProcessStatus } from '../../src/types/info.js';

const CLUSTER_EVENTS: GuvEventName[] = [
  'cluster:starting',
  'cluster:ready',
  'cluster:failed',
  'cluster:online',
  'cluster:stopping',
  'cluster:stopped',
  'cluster:resized',
  'cluster:reloading',
  'cluster:reloaded',
  'cluster:reload:failed',
  'cluster:restarting',
  'cluster:aborted',
];

const status = (workerId: string, index: number, value: ProcessStatus) => ({
  type: 'WORKER.STATUS' as const,
  workerId,
  index,
  status: value,
  pid: value === 'running' ? 1 : null,
  restarts: 0,
});

const events = [
  { type: 'START' },
  {
    type: 'ADOPT',
    pid: 500,
    startedAt: 1,
    restarts: 0,
    workers: [{ workerId: 'web.0', index: 0, pid: 1, startedAt: 1, restarts: 0 }],
    by: 'test',
  },
  { type: 'MANAGER.READY', pid: 500 },
  { type: 'MANAGER.FAILED', error: { name: 'Error', message: 'down' } },
  { type: 'RELOAD' },
  { type: 'RESIZE', instances: 1 },
  { type: 'STOP' },
  { type: 'xstate.after.reloadTimeout.cluster.managed.active.operation.reloading.waiting' },
  { type: 'xstate.after.restartDelay.cluster.restarting' },
  status('web.0', 0, 'running'),
  status('web.1', 1, 'running'),
  status('web.0.1', 0, 'running'),
  status('web.0.1', 0, 'restarting'),
  status('web.0', 0, 'aborted'),
  status('web.1', 1, 'aborted'),
  status('web.0', 0, 'stopped'),
  status('web.1', 1, 'stopped'),
] as ClusterEvent[];

// Worker ids grow with every reload: key on statuses (and a capped retiring count) instead.
const key = (snapshot: unknown) => {
  const s = snapshot as { value: unknown; context: ClusterContext };
  return JSON.stringify([
    s.value,
    s.context.slots.map((w) => w.status),
    s.context.incoming?.status,
    Math.min(s.context.retiring.length, 2),
    s.context.failure.failures.length,
    s.context.verdict?.action,
  ]);
};

// One manager failure restarts it, the second aborts; `never` rests in failed.
const inputs: Array<Omit<ClusterInput, 'clock'>> = [
  { id: 'web', name: 'web', spec: testSpec(), instances: 2, policy: { maxFailures: 1 } },
  { id: 'web', name: 'web', spec: testSpec(), instances: 2, policy: { mode: 'never' } },
];

let paths: ReturnType<typeof traverse> | undefined;
/** Computed once for both tests: the traversal is the slow part. */
function shortestPaths() {
  paths ??= traverse();
  return paths;
}

function traverse() {
  return inputs.flatMap((input) =>
    getShortestPaths(clusterMachine.provide({ actions: { publish: () => {} } }) as AnyActorLogic, {
      input: { ...input, clock: new SimulatedClock() },
      events,
      serializeState: key,
      limit: 50_000,
    }).map((path) => ({ input, path })),
  );
}

describe('cluster chart coverage', () => {
  it('reaches every state by shortest paths', () => {
    const reached = new Set(
      shortestPaths().map(({ path }) => JSON.stringify((path.state as { value: unknown }).value)),
    );
    // `reloading.next` is transient (eventless), so never a resting state.
    const active = (health: string, operation: unknown) =>
      JSON.stringify({ managed: { active: { health, operation } } });
    expect([...reached].sort()).toEqual(
      [
        '"idle"',
        JSON.stringify({ managed: 'starting' }),
        active('ready', 'idle'),
        active('online', 'idle'),
        active('ready', { reloading: 'waiting' }),
        active('online', { reloading: 'waiting' }),
        JSON.stringify({ managed: 'stopping' }),
        '"down"',
        '"restarting"',
        '"aborted"',
        '"failed"',
        '"stopped"',
      ].sort(),
    );
  });

  it('replaying every shortest path publishes every cluster:* event with its arguments', () => {
    const recorder = createEventRecorder();
    // Workers that do nothing: the paths' WORKER.STATUS events alone drive the records.
    const quiet = fromCallback<EventObject, never>(() => {});
    const machine = clusterMachine.provide({
      actors: { manager: quiet as never, worker: quiet as never },
      actions: { publish: recorder.publish },
    });
    for (const { input, path } of shortestPaths()) {
      const clock = new SimulatedClock();
      const actor = createActor(machine, { clock, input: { ...input, clock } }).start();
      for (const step of path.steps) actor.send(step.event as never);
      expect(key(actor.getSnapshot())).toBe(key(path.state));
      actor.stop();
    }
    const seen = new Set(recorder.types());
    for (const type of CLUSTER_EVENTS) expect(seen, type).toContain(type);

    const statuses: ProcessStatus[] = [
      'uninitialised',
      'starting',
      'running',
      'stopping',
      'stopped',
      'failed',
      'restarting',
      'aborted',
    ];
    for (const event of recorder.events.filter((e) => e.type.startsWith('cluster:'))) {
      const [info, ...rest] = event.args as unknown[];
      expect(info, event.type).toEqual({
        id: 'web',
        name: 'web',
        script: '/srv/app/server.js',
        pid: expect.toBeOneOf([null, 500]),
        status: expect.toBeOneOf(statuses),
        restarts: expect.any(Number),
        startedAt: expect.toBeOneOf([null, expect.any(Number)]),
        instances: expect.any(Number),
      });
      if (['cluster:failed', 'cluster:aborted', 'cluster:reload:failed'].includes(event.type)) {
        expect(rest, event.type).toEqual([
          expect.objectContaining({ name: expect.any(String), message: expect.any(String) }),
        ]);
      } else if (event.type === 'cluster:restarting') {
        expect(rest).toEqual([expect.any(Number)]);
      } else if (event.type === 'cluster:resized') {
        expect(rest).toEqual([expect.any(Number), expect.any(Number)]);
      } else {
        expect(rest, event.type).toEqual([]);
      }
    }
  });
});

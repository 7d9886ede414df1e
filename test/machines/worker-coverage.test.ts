import { describe, expect, it } from 'vitest';
import { type AnyEventObject, createActor, SimulatedClock } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import type { GuvEventName } from '../../src/bus/events.js';
import { workerMachine } from '../../src/machines/index.js';
import { createEventRecorder, createFakeChild, testSpec } from '../../src/testing/index.js';

const WORKER_EVENTS: GuvEventName[] = [
  'worker:starting',
  'worker:forked',
  'worker:failed',
  'worker:started',
  'worker:errored',
  'worker:ready',
  'worker:stopping',
  'worker:uncaughtexception',
  'worker:fatality',
  'worker:exit',
  'worker:restarted',
  'worker:aborted',
  'worker:restarting',
  'worker:stopped',
  'worker:paused',
  'worker:unresponsive',
];

const error = { name: 'Error', message: 'boom' };
const cluster = {
  id: 'web',
  name: 'web',
  script: '/srv/app/server.js',
  pid: 10,
  status: 'running' as const,
  restarts: 0,
  startedAt: 0,
  instances: 2,
};
const input = {
  id: 'web.1',
  index: 1,
  cluster,
  spec: testSpec(),
  clock: new SimulatedClock(),
  policy: { maxFailures: 1 },
  timeouts: { heartbeatMs: 1000 },
};

function sampleEvents(): AnyEventObject[] {
  const payloads: Record<string, AnyEventObject[]> = {
    'CHILD.HEARTBEAT': [
      { type: 'CHILD.HEARTBEAT' },
      { type: 'CHILD.HEARTBEAT', rssBytes: 400 * 1024 ** 2 },
    ],
    'WATCH.CHANGED': [{ type: 'WATCH.CHANGED', path: 'server.js' }],
    'WATCH.FAILED': [{ type: 'WATCH.FAILED', message: 'too many files' }],
    // Only a running watcher can fail; outside `alive` an unhandled actor error stops the chart.
    'xstate.error.actor.watcher': [],
    'CHILD.FORKED': [{ type: 'CHILD.FORKED', pid: 4242 }],
    ADOPT: [{ type: 'ADOPT', pid: 4242, startedAt: 1, restarts: 0, by: 'test' }],
    'ADOPT.EXITED': [
      { type: 'ADOPT.EXITED', restarts: 2, code: null, signal: 'SIGKILL', startedAt: 1 },
      { type: 'ADOPT.EXITED', restarts: 0, code: 0, signal: null, startedAt: null },
    ],
    'CHILD.EXIT': [
      { type: 'CHILD.EXIT', code: 1, signal: null },
      { type: 'CHILD.EXIT', code: null, signal: 'SIGTERM' },
    ],
    'CHILD.SPAWN_FAILED': [{ type: 'CHILD.SPAWN_FAILED', error }],
    'CHILD.ERRORED': [{ type: 'CHILD.ERRORED', error }],
    'CHILD.UNCAUGHT': [{ type: 'CHILD.UNCAUGHT', error }],
    'CHILD.FATALITY': [{ type: 'CHILD.FATALITY', error }],
    'xstate.error.actor.child': [],
    'CLUSTER.UPDATED': [],
  };
  return [...workerMachine.root.events].flatMap((type) => payloads[type] ?? [{ type, by: 'test' }]);
}

describe('worker chart coverage', () => {
  it('publishes every worker:* event with (clusterInfo, workerInfo, …) and all its arguments', () => {
    const paths = getShortestPaths(workerMachine, {
      input,
      events: sampleEvents() as never,
      serializeState: ({ value, context: c }) =>
        JSON.stringify([value, c.failure.failures.length, c.restartRequested, c.isRestart]),
    });
    const recorder = createEventRecorder();
    const machine = workerMachine.provide({
      actors: { child: createFakeChild().logic },
      actions: { publish: recorder.publish },
    });
    for (const path of paths) {
      for (const extra of [undefined, ...sampleEvents()]) {
        const actor = createActor(machine, {
          input: { ...input, clock: new SimulatedClock() },
        }).start();
        for (const step of path.steps) actor.send(step.event as never);
        if (extra) actor.send(extra as never);
        actor.stop();
      }
    }
    const seen = new Set(recorder.types());
    for (const type of WORKER_EVENTS) expect(seen, type).toContain(type);

    const withError = [
      'worker:failed',
      'worker:errored',
      'worker:uncaughtexception',
      'worker:aborted',
    ];
    for (const event of recorder.events) {
      const [clusterInfo, workerInfo, ...rest] = event.args as unknown[];
      expect(clusterInfo, event.type).toEqual(cluster);
      expect(workerInfo, event.type).toEqual({
        id: 'web.1',
        index: 1,
        name: 'web#1',
        pid: expect.toBeOneOf([null, 4242]),
        status: expect.any(String),
        restarts: expect.any(Number),
        startedAt: expect.toBeOneOf([null, expect.any(Number)]),
      });
      if (event.type === 'worker:exit') {
        expect(rest).toHaveLength(2);
        expect(rest[0] === null || typeof rest[0] === 'number').toBe(true);
        expect(rest[1] === null || typeof rest[1] === 'string').toBe(true);
      } else if (withError.includes(event.type)) {
        expect(rest).toEqual([
          expect.objectContaining({ name: expect.any(String), message: expect.any(String) }),
        ]);
      } else if (event.type === 'worker:log:warn') {
        expect(rest).toEqual([expect.objectContaining({ message: expect.any(String) })]);
      } else if (event.type === 'worker:restarting') {
        expect(rest).toEqual([expect.any(Number)]);
      } else {
        expect(rest, event.type).toEqual([]);
      }
    }
  });
});

import { describe, expect, it } from 'vitest';
import { type AnyEventObject, createActor, SimulatedClock } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import type { GuvEventName } from '../../src/bus/events.js';
import { processMachine } from '../../src/machines/index.js';
import { createEventRecorder, createFakeChild, testSpec } from '../../src/testing/index.js';
import type { ProcessStatus } from '../../src/types/info.js';

const STATUSES: ProcessStatus[] = [
  'uninitialised',
  'starting',
  'forked',
  'started',
  'running',
  'restarting',
  'stopping',
  'stopped',
  'errored',
  'failed',
  'aborted',
  'paused',
  'unresponsive',
];

const PROCESS_EVENTS: GuvEventName[] = [
  'process:starting',
  'process:forked',
  'process:failed',
  'process:started',
  'process:errored',
  'process:ready',
  'process:stopping',
  'process:uncaughtexception',
  'process:fatality',
  'process:exit',
  'process:restarted',
  'process:aborted',
  'process:restarting',
  'process:stopped',
  'process:paused',
  'process:unresponsive',
];

const error = { name: 'Error', message: 'boom' };

/** One sample of every event the chart reacts to, delayed transitions included. */
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
    'xstate.error.actor.child': [
      { type: 'xstate.error.actor.child', error: new Error('child crashed') },
    ],
    'CLUSTER.UPDATED': [],
  };
  return [...processMachine.root.events].flatMap(
    (type) => payloads[type] ?? [{ type, by: 'test' }],
  );
}

const clock = new SimulatedClock();
// One failure restarts, the second aborts: every state is a few steps away.
const input = {
  id: 'graph',
  spec: testSpec(),
  clock,
  policy: { maxFailures: 1 },
  timeouts: { heartbeatMs: 1000 },
  triggers: {
    watch: { paths: ['/srv/app'], ignore: [], delayMs: 500 },
    maxMemoryBytes: 300 * 1024 ** 2,
    cronRestart: null,
  },
};

function shortestPaths() {
  return getShortestPaths(processMachine, {
    input,
    events: sampleEvents() as never,
    serializeState: ({ value, context: c }) =>
      JSON.stringify([value, c.failure.failures.length, c.restartRequested, c.isRestart]),
  });
}

describe('process chart coverage', () => {
  it('reaches every status (xstate/graph shortest paths)', () => {
    const reached = new Set(shortestPaths().map((path) => path.state.context.status));
    expect([...reached].sort()).toEqual([...STATUSES].sort());
  });

  it('status always names the leaf state', () => {
    for (const path of shortestPaths()) {
      const value = JSON.stringify(path.state.value);
      expect(value).toContain(`"${path.state.context.status}"`);
    }
  });

  it('replaying every shortest path (plus every event from its end) publishes every process:* event with all its arguments', () => {
    const recorder = createEventRecorder();
    const machine = processMachine.provide({
      actors: { child: createFakeChild().logic },
      actions: { publish: recorder.publish },
    });
    // Targetless transitions (uncaught exceptions, fatalities) add no state: try each event at each path's end.
    for (const path of shortestPaths()) {
      // A child error event only exists while a child does; the paths already cover it.
      const extras = sampleEvents().filter((event) => event.type !== 'xstate.error.actor.child');
      for (const extra of [undefined, ...extras]) {
        const actor = createActor(machine, {
          input: { ...input, clock: new SimulatedClock() },
        }).start();
        for (const step of path.steps) actor.send(step.event as never);
        expect(actor.getSnapshot().context.status).toBe(path.state.context.status);
        if (extra) actor.send(extra as never);
        actor.stop();
      }
    }
    const seen = new Set(recorder.types());
    for (const type of PROCESS_EVENTS) expect(seen, type).toContain(type);

    const arity: Partial<Record<GuvEventName, number>> = {
      'process:exit': 4,
      'process:log:warn': 2,
    };
    const withError = [
      'process:failed',
      'process:errored',
      'process:uncaughtexception',
      'process:aborted',
    ];
    for (const event of recorder.events) {
      const [info, ...rest] = event.args as unknown[];
      const expected =
        arity[event.type] ??
        (withError.includes(event.type) || event.type === 'process:restarting' ? 2 : 1);
      expect(event.args, event.type).toHaveLength(expected);
      expect(info).toEqual({
        id: 'graph',
        name: 'graph',
        script: '/srv/app/server.js',
        pid: expect.toBeOneOf([null, 4242]),
        status: expect.toBeOneOf(STATUSES),
        restarts: expect.any(Number),
        startedAt: expect.toBeOneOf([null, expect.any(Number)]),
      });
      if (withError.includes(event.type)) {
        expect(rest[0], event.type).toMatchObject({
          name: expect.any(String),
          message: expect.any(String),
        });
      }
      if (event.type === 'process:restarting') expect(rest[0]).toEqual(expect.any(Number));
      if (event.type === 'process:exit') {
        expect(rest[1] === null || typeof rest[1] === 'number').toBe(true);
        expect(rest[2] === null || typeof rest[2] === 'string').toBe(true);
      }
    }
  });
});

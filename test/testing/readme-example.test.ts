// The README's "Embed the machines in your tests" example, verbatim: 'guv/machines' and
// 'guv/testing' are the package's own subpath exports (vitest.config.ts maps them to src/).
import { expect, it } from 'vitest';
import { createActor, SimulatedClock } from 'xstate';
import { processMachine } from 'guv/machines';
import { createEventRecorder, createFakeChild, testSpec } from 'guv/testing';

it('restarts my app at once after a crash', () => {
  const clock = new SimulatedClock();
  const child = createFakeChild();
  const events = createEventRecorder();
  const machine = processMachine.provide({
    actors: { child: child.logic },
    actions: { publish: events.publish },
  });
  const actor = createActor(machine, {
    clock,
    input: {
      id: 'web',
      spec: testSpec({ script: '/srv/web/server.js' }),
      clock,
      policy: { maxFailures: 3 },
    },
  }).start();

  actor.send({ type: 'START', by: 'test' });
  child.fork(4242);
  child.ready();
  child.exit(1, null); // the app crashes
  clock.increment(0); // the first restart is immediate
  child.fork(4243);
  child.ready();

  expect(events.types()).toEqual([
    'process:starting',
    'process:forked',
    'process:ready',
    'process:exit',
    'process:restarting',
    'process:starting',
    'process:forked',
    'process:ready',
    'process:restarted',
  ]);
  expect(actor.getSnapshot().context.status).toBe('running');
  expect(events.argsOf('process:exit')[0]?.slice(1)).toEqual([null, 1, null]);
});

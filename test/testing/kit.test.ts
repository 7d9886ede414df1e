import { describe, expect, it } from 'vitest';
import { createActor, SimulatedClock } from 'xstate';
import { processMachine } from '../../src/machines/index.js';
import {
  createEventRecorder,
  createFakeChild,
  createTestProcess,
  testSpec,
} from '../../src/testing/index.js';

describe('guv/testing', () => {
  it('createTestProcess wires a simulated clock, a fake child and a recorder', () => {
    const { actor, child, recorder, advance, status } = createTestProcess({
      timeouts: { startMs: 500 },
    });
    expect(status()).toBe('uninitialised');
    actor.send({ type: 'START' });
    expect(child.isAlive()).toBe(true);
    expect(child.inputs[0]).toMatchObject({ id: 'test', attempt: 0 });
    advance(500);
    expect(status()).toBe('errored');
    expect(child.signals()).toEqual(['SIGKILL']);
    expect(recorder.last()?.type).toBe('process:errored');
  });

  it('the fake child refuses to play before the chart invoked it', () => {
    const child = createFakeChild();
    expect(() => child.ready()).toThrow(/not running/);
  });

  it('one fake child plays several charts, told apart by id', () => {
    const child = createFakeChild();
    const machine = processMachine.provide({ actors: { child: child.logic } });
    const clock = new SimulatedClock();
    const start = (id: string) => {
      const actor = createActor(machine, { clock, input: { id, spec: testSpec(), clock } }).start();
      actor.send({ type: 'START' });
      return actor;
    };
    const a = start('a');
    const b = start('b');
    child.fork(1, 'a');
    child.ready('a');
    child.fork(2, 'b');
    expect(a.getSnapshot().context.status).toBe('running');
    expect(b.getSnapshot().context.status).toBe('forked');
    a.send({ type: 'STOP' });
    child.exit(null, 'SIGTERM', 'a');
    expect(child.isAlive('a')).toBe(false);
    expect(child.isAlive('b')).toBe(true);
  });

  it('the recorder clears and filters', () => {
    const recorder = createEventRecorder();
    recorder.publish(undefined, { type: 'daemon:dump', args: [] });
    recorder.publish(undefined, { type: 'daemon:exit', args: [] });
    expect(recorder.types()).toEqual(['daemon:dump', 'daemon:exit']);
    expect(recorder.argsOf('daemon:exit')).toEqual([[]]);
    recorder.clear();
    expect(recorder.events).toEqual([]);
  });
});

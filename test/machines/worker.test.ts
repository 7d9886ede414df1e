import { describe, expect, it } from 'vitest';
import { createActor, createMachine, sendTo } from 'xstate';
import { createTestWorker } from '../../src/testing/index.js';

describe('worker chart', () => {
  it('publishes worker:* events with (clusterInfo, workerInfo, …) through a clean start and stop', () => {
    const { actor, child, recorder } = createTestWorker();
    actor.send({ type: 'START' });
    child.fork(4001);
    child.started();
    child.ready();
    actor.send({ type: 'STOP', by: 'cli' });
    child.exit(null, 'SIGTERM');
    expect(recorder.types()).toEqual([
      'worker:starting',
      'worker:forked',
      'worker:started',
      'worker:ready',
      'worker:stopping',
      'worker:exit',
      'worker:stopped',
    ]);
    const [cluster, worker, code, signal] = recorder.argsOf('worker:exit')[0] ?? [];
    expect(cluster?.name).toBe('test');
    expect(worker).toEqual({
      id: 'test.0',
      index: 0,
      name: 'test#0',
      pid: 4001,
      status: 'stopping',
      restarts: 0,
      startedAt: 0,
    });
    expect([code, signal]).toEqual([null, 'SIGTERM']);
  });
});

describe('worker → cluster', () => {
  it('sends its parent WORKER.STATUS on every status change', async () => {
    const { createFakeChild, testSpec } = await import('../../src/testing/index.js');
    const { workerMachine } = await import('../../src/machines/index.js');
    const { SimulatedClock } = await import('xstate');
    const clock = new SimulatedClock();
    const child = createFakeChild();
    const reports: unknown[] = [];
    const cluster = {
      id: 'c',
      name: 'c',
      script: '/x.js',
      pid: 1,
      status: 'running' as const,
      restarts: 0,
      startedAt: 0,
      instances: 1,
    };
    const parent = createMachine({
      types: {} as { events: { type: 'WORKER.STATUS' } | { type: 'GO' } },
      invoke: {
        id: 'w',
        src: workerMachine.provide({ actors: { child: child.logic } }),
        input: { id: 'c.0', index: 0, cluster, spec: testSpec(), clock },
      },
      on: {
        'WORKER.STATUS': { actions: ({ event }) => reports.push(event) },
        GO: { actions: sendTo('w', { type: 'START' }) },
      },
    });
    const actor = createActor(parent, { clock }).start();
    actor.send({ type: 'GO' });
    child.fork(7);
    child.ready();
    expect(reports).toEqual([
      {
        type: 'WORKER.STATUS',
        workerId: 'c.0',
        index: 0,
        status: 'starting',
        pid: null,
        restarts: 0,
      },
      { type: 'WORKER.STATUS', workerId: 'c.0', index: 0, status: 'forked', pid: 7, restarts: 0 },
      { type: 'WORKER.STATUS', workerId: 'c.0', index: 0, status: 'running', pid: 7, restarts: 0 },
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { createTestProcess } from '../../src/testing/index.js';

type Harness = ReturnType<typeof createTestProcess>;

/** START, then the child forks, loads and says ready. */
function bootToRunning(h: Harness, pid = 101) {
  h.actor.send({ type: 'START', by: 'cli' });
  h.child.fork(pid);
  h.child.started();
  h.child.ready();
}

describe('process chart scenarios', () => {
  it('clean start', () => {
    const h = createTestProcess();
    bootToRunning(h);
    expect(h.recorder.types()).toEqual([
      'process:starting',
      'process:forked',
      'process:started',
      'process:ready',
    ]);
    expect(h.recorder.argsOf('process:ready')).toEqual([
      [
        {
          id: 'test',
          name: 'test',
          script: '/srv/app/server.js',
          pid: 101,
          status: 'running',
          restarts: 0,
          startedAt: 0,
        },
      ],
    ]);
    expect(h.status()).toBe('running');
  });

  it('crash → restart at once → process:restarted', () => {
    const h = createTestProcess();
    bootToRunning(h);
    h.recorder.clear();
    h.advance(5000);
    h.child.exit(1, null);
    h.advance(0);
    expect(h.status()).toBe('starting');
    h.child.fork(102);
    h.child.started();
    h.child.ready();
    expect(h.recorder.types()).toEqual([
      'process:exit',
      'process:restarting',
      'process:starting',
      'process:forked',
      'process:started',
      'process:ready',
      'process:restarted',
    ]);
    expect(h.recorder.argsOf('process:exit')[0]).toEqual([
      expect.objectContaining({ pid: 101, status: 'running' }),
      null,
      1,
      null,
    ]);
    expect(h.recorder.argsOf('process:restarting')[0]).toEqual([
      expect.objectContaining({ status: 'restarting', pid: null }),
      0,
    ]);
    expect(h.recorder.argsOf('process:restarted')[0]).toEqual([
      expect.objectContaining({ status: 'running', restarts: 1, pid: 102, startedAt: 5000 }),
    ]);
    expect(h.child.inputs.map((input) => input.attempt)).toEqual([0, 1]);
  });

  it('crash loop → process:aborted', () => {
    const h = createTestProcess();
    bootToRunning(h);
    let restarts = 0;
    while (h.status() !== 'aborted') {
      h.advance(1000);
      h.child.exit(1, null);
      if (h.status() === 'aborted') break;
      h.advance(h.actor.getSnapshot().context.nextDelayMs);
      bootToRunningAgain(h);
      restarts++;
    }
    expect(restarts).toBe(10);
    expect(h.recorder.argsOf('process:restarting').map(([, delay]) => delay)).toEqual([
      0, 100, 200, 400, 800, 1600, 3200, 6400, 12_800, 15_000,
    ]);
    expect(h.recorder.types().slice(-2)).toEqual(['process:exit', 'process:aborted']);
    expect(h.recorder.argsOf('process:aborted')[0]).toEqual([
      expect.objectContaining({ status: 'aborted', restarts: 10, pid: null }),
      {
        name: 'GuvError',
        code: 'GUV_PROCESS_ABORTED',
        message: 'aborted after 11 failures in 51 s (more than 10 in 10 min)',
      },
    ]);
    expect(h.child.isAlive()).toBe(false);
  });

  it('a process that crashes after an hour is never aborted (simulated 100 hours)', () => {
    const h = createTestProcess();
    bootToRunning(h);
    for (let hour = 0; hour < 100; hour++) {
      h.advance(3_600_000);
      h.child.exit(1, null);
      expect(h.status()).toBe('restarting');
      h.advance(0);
      bootToRunningAgain(h);
    }
    expect(h.actor.getSnapshot().context.restarts).toBe(100);
    expect(h.recorder.types()).not.toContain('process:aborted');
    expect(new Set(h.recorder.argsOf('process:restarting').map(([, delay]) => delay))).toEqual(
      new Set([0]),
    );
  });

  it('stop during backoff cancels the delay → stopped', () => {
    const h = createTestProcess();
    bootToRunning(h);
    h.child.exit(1, null);
    h.advance(0);
    bootToRunningAgain(h);
    h.child.exit(1, null);
    expect(h.actor.getSnapshot().context.nextDelayMs).toBe(100);
    h.recorder.clear();
    h.actor.send({ type: 'STOP', by: 'cli' });
    h.advance(60_000);
    expect(h.status()).toBe('stopped');
    expect(h.recorder.types()).toEqual(['process:stopped']);
    expect(h.child.inputs).toHaveLength(2);
    expect(h.actor.getSnapshot().context.history.at(-1)).toMatchObject({
      from: 'restarting',
      to: 'stopped',
      cause: { event: 'STOP', by: 'cli' },
    });
  });

  it('startup exception → process:errored, then the exit is a failure', () => {
    const h = createTestProcess();
    h.actor.send({ type: 'START' });
    h.child.fork(101);
    h.child.errored(new SyntaxError('Unexpected token'));
    h.child.exit(1, null);
    expect(h.recorder.types()).toEqual([
      'process:starting',
      'process:forked',
      'process:errored',
      'process:exit',
      'process:restarting',
    ]);
    const [info, error] = h.recorder.argsOf('process:errored')[0] ?? [];
    expect(info).toMatchObject({ status: 'errored', pid: 101 });
    expect(error).toMatchObject({ name: 'SyntaxError', message: 'Unexpected token' });
    expect(h.recorder.argsOf('process:exit')[0]?.[1]).toBe(error);
  });

  it('wrapper failure → process:failed, not restarted', () => {
    const h = createTestProcess();
    h.actor.send({ type: 'START' });
    h.child.spawnFailed({ name: 'Error', code: 'ENOENT', message: 'spawn node ENOENT' });
    h.advance(60_000);
    expect(h.recorder.types()).toEqual(['process:starting', 'process:failed']);
    expect(h.recorder.argsOf('process:failed')[0]).toEqual([
      expect.objectContaining({ status: 'failed', pid: null }),
      { name: 'Error', code: 'ENOENT', message: 'spawn node ENOENT' },
    ]);
    expect(h.child.inputs).toHaveLength(1);
  });

  it('no child provided: fails loudly as process:failed with GUV_ACTOR_NOT_PROVIDED', async () => {
    const { processMachine } = await import('../../src/machines/index.js');
    const { createEventRecorder, testSpec } = await import('../../src/testing/index.js');
    const { createActor, SimulatedClock } = await import('xstate');
    const recorder = createEventRecorder();
    const clock = new SimulatedClock();
    const actor = createActor(processMachine.provide({ actions: { publish: recorder.publish } }), {
      clock,
      input: { id: 'x', spec: testSpec(), clock },
    }).start();
    actor.send({ type: 'START' });
    expect(actor.getSnapshot().context.status).toBe('failed');
    expect(recorder.argsOf('process:failed')[0]?.[1]).toMatchObject({
      name: 'GuvError',
      code: 'GUV_ACTOR_NOT_PROVIDED',
    });
  });

  it('start timeout → SIGKILL, process:errored, and the exit counts as a failure', () => {
    const h = createTestProcess({ timeouts: { startMs: 10_000 } });
    h.actor.send({ type: 'START' });
    h.child.fork(101);
    h.child.started();
    h.advance(9_999);
    expect(h.child.commands).toEqual([]);
    h.advance(1);
    expect(h.child.signals()).toEqual(['SIGKILL']);
    h.child.exit(null, 'SIGKILL');
    expect(h.recorder.types()).toEqual([
      'process:starting',
      'process:forked',
      'process:started',
      'process:errored',
      'process:exit',
      'process:restarting',
    ]);
    const timeoutError = {
      name: 'GuvError',
      code: 'GUV_PROCESS_START_TIMEOUT',
      message: 'not ready within 10000 ms of starting',
    };
    expect(h.recorder.argsOf('process:errored')[0]?.[1]).toEqual(timeoutError);
    expect(h.recorder.argsOf('process:exit')[0]?.slice(1)).toEqual([timeoutError, null, 'SIGKILL']);
    expect(h.actor.getSnapshot().context.failure.failures).toEqual([10_000]);
  });

  it('stop with kill timeout → SIGTERM, then SIGKILL, then stopped', () => {
    const h = createTestProcess({ timeouts: { killMs: 3000 } });
    bootToRunning(h);
    h.recorder.clear();
    h.actor.send({ type: 'STOP', by: 'cli' });
    expect(h.child.signals()).toEqual(['SIGTERM']);
    h.advance(2999);
    expect(h.child.signals()).toEqual(['SIGTERM']);
    h.advance(1);
    expect(h.child.signals()).toEqual(['SIGTERM', 'SIGKILL']);
    h.child.exit(null, 'SIGKILL');
    expect(h.recorder.types()).toEqual(['process:stopping', 'process:exit', 'process:stopped']);
    expect(h.recorder.argsOf('process:exit')[0]).toEqual([
      expect.objectContaining({ status: 'stopping', pid: 101 }),
      null,
      null,
      'SIGKILL',
    ]);
    expect(h.recorder.argsOf('process:stopped')[0]).toEqual([
      expect.objectContaining({ status: 'stopped', pid: null }),
    ]);
    expect(h.actor.getSnapshot().context.failure.failures).toEqual([]);
  });

  it('a custom kill signal is sent first', () => {
    const h = createTestProcess({ timeouts: { killSignal: 'SIGINT' } });
    bootToRunning(h);
    h.actor.send({ type: 'STOP' });
    expect(h.child.signals()).toEqual(['SIGINT']);
  });

  it('an uncaught exception that was handled: stays running', () => {
    const h = createTestProcess();
    bootToRunning(h);
    h.recorder.clear();
    h.child.uncaught(new TypeError('x is undefined'));
    expect(h.status()).toBe('running');
    expect(h.recorder.types()).toEqual(['process:uncaughtexception']);
    expect(h.recorder.argsOf('process:uncaughtexception')[0]).toEqual([
      expect.objectContaining({ status: 'running' }),
      expect.objectContaining({ name: 'TypeError', message: 'x is undefined' }),
    ]);
  });

  it('fatality then exit → process:uncaughtexception with the error, process:fatality, process:exit, restart', () => {
    const h = createTestProcess();
    bootToRunning(h);
    h.recorder.clear();
    h.child.fatality({ name: 'Error', message: 'boom' });
    h.child.exit(7, null);
    expect(h.recorder.types()).toEqual([
      'process:uncaughtexception',
      'process:fatality',
      'process:exit',
      'process:restarting',
    ]);
    expect(h.recorder.argsOf('process:uncaughtexception')[0]?.[1]).toEqual({
      name: 'Error',
      message: 'boom',
    });
    expect(h.recorder.argsOf('process:fatality')[0]).toEqual([
      expect.objectContaining({ status: 'running' }),
    ]);
    expect(h.recorder.argsOf('process:exit')[0]?.slice(1)).toEqual([
      { name: 'Error', message: 'boom' },
      7,
      null,
    ]);
  });

  it('unresponsive after missed heartbeats, running again on a heartbeat', () => {
    const h = createTestProcess({ timeouts: { heartbeatMs: 5000 } });
    bootToRunning(h);
    h.advance(4000);
    h.child.heartbeat();
    h.advance(4000);
    h.child.heartbeat();
    expect(h.status()).toBe('running');
    h.recorder.clear();
    h.advance(5000);
    expect(h.status()).toBe('unresponsive');
    h.child.heartbeat();
    expect(h.status()).toBe('running');
    expect(h.recorder.types()).toEqual(['process:unresponsive', 'process:ready']);
    expect(h.recorder.argsOf('process:unresponsive')[0]).toEqual([
      expect.objectContaining({ status: 'unresponsive' }),
    ]);
  });

  it('heartbeat 0 (the default) never goes unresponsive', () => {
    const h = createTestProcess();
    bootToRunning(h);
    h.advance(10 * 3_600_000);
    expect(h.status()).toBe('running');
  });

  it('paused for a debugger: no start timeout until the module loads', () => {
    const h = createTestProcess({ timeouts: { startMs: 1000 } });
    h.actor.send({ type: 'START' });
    h.child.fork(101);
    h.child.paused();
    h.advance(60_000);
    expect(h.status()).toBe('paused');
    h.child.started();
    h.child.ready();
    expect(h.recorder.types()).toEqual([
      'process:starting',
      'process:forked',
      'process:paused',
      'process:started',
      'process:ready',
    ]);
    expect(h.recorder.argsOf('process:paused')[0]).toEqual([
      expect.objectContaining({ status: 'paused', pid: 101 }),
    ]);
  });

  it('RESTART from running: stop, then start again at once, counted as a restart', () => {
    const h = createTestProcess();
    bootToRunning(h);
    h.recorder.clear();
    h.actor.send({ type: 'RESTART', by: 'cli' });
    h.child.exit(null, 'SIGTERM');
    h.advance(0);
    bootToRunningAgain(h, 202);
    expect(h.recorder.types()).toEqual([
      'process:stopping',
      'process:exit',
      'process:restarting',
      'process:starting',
      'process:forked',
      'process:started',
      'process:ready',
      'process:restarted',
    ]);
    expect(h.actor.getSnapshot().context.failure.failures).toEqual([]);
  });

  it('never: a crash ends in stopped', () => {
    const h = createTestProcess({ policy: { mode: 'never' } });
    bootToRunning(h);
    h.recorder.clear();
    h.child.exit(1, null);
    expect(h.recorder.types()).toEqual(['process:exit', 'process:stopped']);
  });

  it('on-failure: a clean exit ends in stopped; START brings it back', () => {
    const h = createTestProcess({ policy: { mode: 'on-failure' } });
    bootToRunning(h);
    h.child.exit(0, null);
    expect(h.status()).toBe('stopped');
    bootToRunning(h, 303);
    expect(h.status()).toBe('running');
  });

  it('STOP is accepted from every state', () => {
    const h = createTestProcess();
    h.actor.send({ type: 'STOP' });
    expect(h.status()).toBe('stopped');
    h.actor.send({ type: 'START' });
    h.actor.send({ type: 'STOP' });
    expect(h.status()).toBe('stopping');
    expect(h.child.signals()).toEqual(['SIGTERM']);
    h.child.exit(null, 'SIGTERM');
    expect(h.status()).toBe('stopped');
  });
});

/** After a restart delay: the new child forks, loads and says ready. */
function bootToRunningAgain(h: Harness, pid = 200 + h.child.inputs.length) {
  h.child.fork(pid);
  h.child.started();
  h.child.ready();
}

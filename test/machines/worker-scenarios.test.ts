import { describe, expect, it } from 'vitest';
import { createTestWorker } from '../../src/testing/index.js';

type Harness = ReturnType<typeof createTestWorker>;

function boot(h: Harness, pid: number) {
  h.child.fork(pid);
  h.child.started();
  h.child.ready();
}

describe('worker chart scenarios', () => {
  it('crash → restart → worker:restarted', () => {
    const h = createTestWorker();
    h.actor.send({ type: 'START' });
    boot(h, 1);
    h.recorder.clear();
    h.child.exit(1, null);
    h.advance(0);
    boot(h, 2);
    expect(h.recorder.types()).toEqual([
      'worker:exit',
      'worker:restarting',
      'worker:starting',
      'worker:forked',
      'worker:started',
      'worker:ready',
      'worker:restarted',
    ]);
    expect(h.recorder.argsOf('worker:exit')[0]?.slice(1)).toEqual([
      {
        id: 'test.0',
        index: 0,
        name: 'test#0',
        pid: 1,
        status: 'running',
        restarts: 0,
        startedAt: 0,
      },
      1,
      null,
    ]);
    expect(h.recorder.argsOf('worker:restarted')[0]?.[1]).toMatchObject({ restarts: 1, pid: 2 });
  });

  it('crash loop → worker:aborted', () => {
    const h = createTestWorker({ policy: { maxFailures: 2 } });
    h.actor.send({ type: 'START' });
    for (let pid = 1; h.status() !== 'aborted'; pid++) {
      h.advance(h.actor.getSnapshot().context.nextDelayMs);
      boot(h, pid);
      h.advance(1000);
      h.child.exit(1, null);
    }
    expect(h.recorder.types().slice(-2)).toEqual(['worker:exit', 'worker:aborted']);
    expect(h.recorder.argsOf('worker:aborted')[0]?.[2]).toEqual({
      name: 'GuvError',
      code: 'GUV_PROCESS_ABORTED',
      message: 'aborted after 3 failures in 2 s (more than 2 in 10 min)',
    });
  });

  it('stop during backoff → worker:stopped', () => {
    const h = createTestWorker();
    h.actor.send({ type: 'START' });
    boot(h, 1);
    h.child.exit(1, null);
    h.recorder.clear();
    h.actor.send({ type: 'STOP', by: 'cluster' });
    h.advance(1000);
    expect(h.recorder.types()).toEqual(['worker:stopped']);
  });

  it('stop with kill timeout → SIGKILL → worker:exit, worker:stopped', () => {
    const h = createTestWorker({ timeouts: { killMs: 2000 } });
    h.actor.send({ type: 'START' });
    boot(h, 1);
    h.recorder.clear();
    h.actor.send({ type: 'STOP' });
    h.advance(2000);
    expect(h.child.signals()).toEqual(['SIGTERM', 'SIGKILL']);
    h.child.exit(null, 'SIGKILL');
    expect(h.recorder.types()).toEqual(['worker:stopping', 'worker:exit', 'worker:stopped']);
  });

  it('startup exception → worker:errored; spawn failure → worker:failed', () => {
    const errored = createTestWorker();
    errored.actor.send({ type: 'START' });
    errored.child.fork(1);
    errored.child.errored('bad config');
    expect(errored.recorder.argsOf('worker:errored')[0]?.[2]).toEqual({
      name: 'Error',
      message: 'bad config',
    });

    const failed = createTestWorker();
    failed.actor.send({ type: 'START' });
    failed.child.spawnFailed('EACCES');
    expect(failed.status()).toBe('failed');
    expect(failed.recorder.types()).toEqual(['worker:starting', 'worker:failed']);
  });

  it('unresponsive and back; uncaught stays running', () => {
    const h = createTestWorker({ timeouts: { heartbeatMs: 1000 } });
    h.actor.send({ type: 'START' });
    boot(h, 1);
    h.recorder.clear();
    h.child.uncaught('oops');
    h.advance(1000);
    h.child.heartbeat();
    expect(h.recorder.types()).toEqual([
      'worker:uncaughtexception',
      'worker:unresponsive',
      'worker:ready',
    ]);
  });

  it('CLUSTER.UPDATED: later events carry the new cluster info', () => {
    const h = createTestWorker();
    const clusterInfo = { ...h.actor.getSnapshot().context.worker!.cluster, instances: 4 };
    h.actor.send({ type: 'CLUSTER.UPDATED', clusterInfo });
    h.actor.send({ type: 'START' });
    expect(h.recorder.argsOf('worker:starting')[0]?.[0]).toEqual(clusterInfo);
  });
});

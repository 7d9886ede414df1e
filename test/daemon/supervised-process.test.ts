import { describe, expect, it, vi } from 'vitest';
import { SimulatedClock } from 'xstate';
import type { ChildHandle } from '../../src/actors/child/child-handle.js';
import type { ProcessDefinition } from '../../src/supervision/process-definition.js';
import { createSupervisedProcess } from '../../src/supervision/supervised-process.js';
import { GuvError } from '../../src/errors.js';
import { processMachine } from '../../src/machines/process/machine.js';
import { createEventRecorder, createFakeChild, testSpec } from '../../src/testing/index.js';

const definition: ProcessDefinition = {
  id: 'p1',
  name: 'web',
  spec: testSpec(),
  instances: null,
  policy: {},
  timeouts: {},
  app: null,
};

/** A supervised process on a fake child and simulated time; `handles` plays the child actor's register. */
function supervisedProcess() {
  const clock = new SimulatedClock();
  const child = createFakeChild();
  const recorder = createEventRecorder();
  const handles = new Map<string, ChildHandle>();
  const onChange = vi.fn();
  const onChartError = vi.fn();
  const supervised = createSupervisedProcess(definition, {
    machine: processMachine.provide({
      actors: { child: child.logic },
      actions: { publish: recorder.publish },
    }),
    clock,
    timers: clock,
    handle: (id) => handles.get(id) ?? null,
    onChange,
    onChartError,
  });
  const run = (pid: number) => {
    child.fork(pid);
    child.started();
    child.ready();
  };
  return { supervised, clock, child, recorder, handles, onChange, onChartError, run };
}

function fakeHandle(pid: number) {
  return {
    pid,
    send: vi.fn(async () => true),
    signal: vi.fn(() => true),
    write: vi.fn(() => true),
    gc: vi.fn(async () => {}),
    heapdump: vi.fn(async (path: string) => path),
  };
}

async function rejection(promise: Promise<unknown>): Promise<GuvError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(GuvError);
  return error as GuvError;
}

describe('createSupervisedProcess: a single process behind the Supervised contract', () => {
  it('start resolves once the chart runs, and records that the user wants it running', async () => {
    const h = supervisedProcess();
    expect(h.supervised.info().status).toBe('uninitialised');
    const started = h.supervised.start('cli', 5000);
    expect(h.supervised.desired).toBe('running');
    h.run(4242);
    await expect(started).resolves.toMatchObject({ status: 'running', pid: 4242, name: 'web' });
    expect(h.supervised.pid).toBe(4242);
    expect(h.onChange).toHaveBeenCalled();
    expect(h.recorder.types()).toContain('process:ready');
  });

  it('stop resolves once the child exited; restart waits for the new run, not the old one leaving', async () => {
    const h = supervisedProcess();
    const started = h.supervised.start('cli', 5000);
    h.run(100);
    await started;

    const restarted = h.supervised.restart('cli', 5000);
    expect(h.child.signals()).toEqual(['SIGTERM']);
    h.child.exit(null, 'SIGTERM');
    h.clock.increment(0);
    let settled = false;
    void restarted.then(() => {
      settled = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    h.run(101);
    await expect(restarted).resolves.toMatchObject({ status: 'running', pid: 101, restarts: 1 });

    h.onChange.mockClear();
    const stopped = h.supervised.stop('cli', 5000);
    expect(h.supervised.desired).toBe('stopped');
    expect(h.onChange).toHaveBeenCalled();
    h.child.exit(null, 'SIGTERM');
    await expect(stopped).resolves.toMatchObject({ status: 'stopped', pid: null });
    expect(h.supervised.lastRunExit()).toEqual({ code: null, signal: 'SIGTERM' });
    expect(h.supervised.history().at(-1)).toMatchObject({ to: 'stopped' });
  });

  it('a request whose outcome does not come in time rejects with GUV_TIMEOUT naming where it is', async () => {
    const h = supervisedProcess();
    const error = await rejection(h.supervised.start('cli', 50));
    expect(error.code).toBe('GUV_TIMEOUT');
    expect(error.message).toBe('start of web did not finish within 50 ms (status starting)');
  });

  it('answers cluster-only requests with GUV_NOT_A_CLUSTER instead of callers checking its kind', async () => {
    const { supervised } = supervisedProcess();
    expect((await rejection(supervised.resize(3, 1000))).code).toBe('GUV_NOT_A_CLUSTER');
    expect(() => supervised.workerHistory(0)).toThrow(
      expect.objectContaining({ code: 'GUV_NOT_A_CLUSTER' }),
    );
    expect(supervised.listing()).toEqual({});
    expect(supervised.workerInfo('p1.0')).toBeNull();
  });

  it('has one live target, its own child, while it runs; none when it does not', async () => {
    const h = supervisedProcess();
    expect(() => h.supervised.liveTargets()).toThrow(
      expect.objectContaining({ code: 'GUV_PROCESS_NOT_RUNNING', message: 'web is not running' }),
    );
    const handle = fakeHandle(4242);
    h.handles.set('p1', handle as unknown as ChildHandle);
    const [target, ...others] = h.supervised.liveTargets();
    expect(others).toEqual([]);
    expect(target).toMatchObject({ worker: null, pid: 4242 });
    await expect(target!.send('reload', [1])).resolves.toBe(true);
    expect(handle.send).toHaveBeenCalledWith('reload', [1]);
    expect(target!.signal('SIGUSR2')).toBe(true);
    expect(handle.signal).toHaveBeenCalledWith('SIGUSR2');
    expect(target!.write('hi')).toBe(true);
    await target!.gc();
    await expect(target!.heapdump('/tmp/x.heapsnapshot')).resolves.toBe('/tmp/x.heapsnapshot');
  });

  it('is one unit for metrics and exceptions, one process chart for the visualiser, and stops for good', () => {
    const h = supervisedProcess();
    expect(h.supervised.kind).toBe('process');
    expect(h.supervised.units()).toEqual([
      { id: 'p1', info: expect.objectContaining({ id: 'p1', name: 'web' }), worker: null },
    ]);
    expect(h.supervised.chart).toMatchObject({ id: 'p1', kind: 'process', chart: 'process' });
    h.supervised.dispose();
    expect(h.supervised.chart.actor.getSnapshot().status).toBe('stopped');
    expect(h.onChartError).not.toHaveBeenCalled();
  });
});

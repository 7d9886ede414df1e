import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, SimulatedClock } from 'xstate';
import { processMachine } from '../../src/machines/index.js';
import type { WatcherEvent, WatcherInput } from '../../src/machines/process/child-protocol.js';
import type { SupervisionTriggers } from '../../src/machines/process/triggers.js';
import { describeTransition } from '../../src/machines/history.js';
import { createEventRecorder, createFakeChild, testSpec } from '../../src/testing/index.js';

const MiB = 1024 ** 2;

/** A process chart with a fake child, a fake watcher the test drives, and a simulated clock. */
function setup(triggers: Partial<SupervisionTriggers>, startAt = 0) {
  const clock = new SimulatedClock();
  clock.set(startAt);
  const child = createFakeChild();
  const recorder = createEventRecorder();
  const watchers: Array<{ input: WatcherInput; send: (event: WatcherEvent) => void }> = [];
  const watcher = fromCallback<WatcherEvent, WatcherInput>(({ input, sendBack }) => {
    watchers.push({ input, send: sendBack });
  });
  const machine = processMachine.provide({
    actors: { child: child.logic, watcher },
    actions: { publish: recorder.publish },
  });
  const actor = createActor(machine, {
    clock,
    input: {
      id: 't',
      name: 't',
      spec: testSpec(),
      clock,
      triggers: { watch: null, maxMemoryBytes: null, cronRestart: null, ...triggers },
    },
  }).start();
  const context = () => actor.getSnapshot().context;
  let pid = 100;
  const boot = () => {
    child.fork(++pid);
    child.started();
    child.ready();
  };
  /** The restart the chart asked for: the child exits on SIGTERM, a new one comes up. */
  const obeyRestart = () => {
    expect(context().status).toBe('stopping');
    child.exit(null, 'SIGTERM');
    clock.increment(0);
    boot();
    expect(context().status).toBe('running');
  };
  actor.send({ type: 'START', by: 'cli' });
  boot();
  return { actor, clock, child, context, watchers, obeyRestart, recorder };
}

describe('restart triggers (memory, watch, cron) in the process chart', () => {
  it('a heartbeat over the memory limit restarts it gracefully, not counted as a failure', () => {
    const t = setup({ maxMemoryBytes: 300 * MiB });
    t.child.send({ type: 'CHILD.HEARTBEAT', rssBytes: 200 * MiB });
    expect(t.context().status).toBe('running');
    t.child.send({ type: 'CHILD.HEARTBEAT', rssBytes: 312 * MiB });
    expect(t.child.signals()).toEqual(['SIGTERM']);
    t.obeyRestart();
    expect(t.context().restarts).toBe(1);
    expect(t.context().failure.failures).toEqual([]);
    const stopping = t.context().history.find((entry) => entry.to === 'stopping');
    expect(stopping?.cause).toMatchObject({
      restart: 'restarted: RSS 312 MiB over the 300 MiB limit',
    });
    expect(describeTransition(stopping!)).toContain(
      'restarted: RSS 312 MiB over the 300 MiB limit',
    );
    const restarting = t.context().history.find((entry) => entry.to === 'restarting');
    expect(restarting?.cause.by).toBe('memory');
  });

  it('without a memory limit, heartbeats never restart', () => {
    const t = setup({});
    t.child.send({ type: 'CHILD.HEARTBEAT', rssBytes: 4096 * MiB });
    expect(t.context().status).toBe('running');
  });

  it('file changes within the watch delay make one restart, once they settle', () => {
    const t = setup({ watch: { paths: ['/srv/app'], ignore: [], delayMs: 500 } });
    expect(t.watchers.map((w) => w.input.watch?.paths)).toEqual([['/srv/app']]);
    t.watchers[0]!.send({ type: 'WATCH.READY' });
    expect(t.context().watching).toBe(true);
    t.watchers[0]!.send({ type: 'WATCH.CHANGED', path: 'a.js' });
    t.clock.increment(300);
    t.watchers[0]!.send({ type: 'WATCH.CHANGED', path: 'b.js' });
    t.clock.increment(300);
    expect(t.context().status).toBe('running');
    t.clock.increment(200);
    expect(t.context().status).toBe('stopping');
    t.obeyRestart();
    t.clock.increment(10_000);
    expect(t.context().restarts).toBe(1);
    expect(t.child.signals()).toEqual(['SIGTERM']);
    const stopping = t.context().history.find((entry) => entry.to === 'stopping');
    expect(stopping?.cause.restart).toBe('restarted: b.js changed');
  });

  it('a failed watcher is a warning, the process keeps running', () => {
    const t = setup({ watch: { paths: ['/srv/app'], ignore: [], delayMs: 500 } });
    t.watchers[0]!.send({ type: 'WATCH.FAILED', message: 'more than 10000 files' });
    expect(t.context().status).toBe('running');
    expect(t.recorder.types()).toContain('process:log:warn');
  });

  it('cron restarts at the next time, shows it, then schedules the one after', () => {
    // Every 5 minutes on the minute: whole-minute offsets, whatever the time zone.
    const t = setup({ cronRestart: '0 */5 * * * *' }, 60_000);
    expect(t.context().cronNextAt).toBe(300_000);
    t.clock.increment(239_000);
    expect(t.context().status).toBe('running');
    t.clock.increment(1000);
    expect(t.context().status).toBe('stopping');
    t.obeyRestart();
    expect(t.context().cronNextAt).toBe(600_000);
    expect(t.context().failure.failures).toEqual([]);
    t.clock.increment(300_000);
    t.obeyRestart();
    expect(t.context().restarts).toBe(2);
    const causes = t.context().history.filter((entry) => entry.to === 'restarting');
    expect(causes.map((entry) => entry.cause.by)).toEqual(['cron', 'cron']);
  });

  it('a cron time that comes while stopped does nothing', () => {
    const t = setup({ cronRestart: '0 */5 * * * *' }, 60_000);
    t.actor.send({ type: 'STOP', by: 'cli' });
    t.child.exit(null, 'SIGTERM');
    expect(t.context().status).toBe('stopped');
    expect(t.context().cronNextAt).toBeNull();
    t.clock.increment(600_000);
    expect(t.context().status).toBe('stopped');
  });
});

import { describe, expect, it } from 'vitest';
import { type AnyActorLogic, createActor, fromPromise, SimulatedClock, waitFor } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import type { BusEvent } from '../../src/bus/events.js';
import {
  type DaemonEvent,
  type DaemonInput,
  daemonMachine,
} from '../../src/machines/daemon/daemon-machine.js';

const boom = { name: 'Error', message: 'boom' };

function setupDaemon(input: Partial<DaemonInput> = {}, failing: string[] = []) {
  const clock = new SimulatedClock();
  clock.set(1_000);
  const published: BusEvent[] = [];
  const calls: string[] = [];
  const fake = (name: string) =>
    fromPromise<void>(async () => {
      calls.push(name);
      if (failing.includes(name)) throw new Error(`${name} broke`);
    });
  const machine = daemonMachine.provide({
    actors: {
      restoreProcesses: fake('restoreProcesses'),
      dumpProcesses: fake('dumpProcesses'),
      stopAllProcesses: fake('stopAllProcesses'),
    },
    actions: { publish: (_, event) => void published.push(event) },
  });
  const actor = createActor(machine, {
    clock,
    input: { autoresume: false, dumpOnExit: false, clock, ...input },
  });
  actor.start();
  return { actor, published, calls, clock };
}

describe('daemon chart', () => {
  it('boots straight to running without autoresume', () => {
    const { actor, published, calls } = setupDaemon();
    actor.send({ type: 'BOOTED' });
    expect(actor.getSnapshot().value).toBe('running');
    expect(published).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('restores on boot with autoresume and says daemon:restore', async () => {
    const { actor, published, calls } = setupDaemon({ autoresume: true });
    actor.send({ type: 'BOOTED' });
    expect(actor.getSnapshot().value).toBe('restoring');
    await waitFor(actor, (s) => s.matches('running'));
    expect(calls).toEqual(['restoreProcesses']);
    expect(published).toEqual([{ type: 'daemon:restore', args: [] }]);
  });

  it('dumps and restores on request', async () => {
    const { actor, published, calls } = setupDaemon();
    actor.send({ type: 'BOOTED' });
    actor.send({ type: 'DUMP' });
    expect(actor.getSnapshot().value).toBe('dumping');
    await waitFor(actor, (s) => s.matches('running'));
    actor.send({ type: 'RESTORE' });
    expect(actor.getSnapshot().value).toBe('restoring');
    await waitFor(actor, (s) => s.matches('running'));
    expect(calls).toEqual(['dumpProcesses', 'restoreProcesses']);
    expect(published).toEqual([
      { type: 'daemon:dump', args: [] },
      { type: 'daemon:restore', args: [] },
    ]);
  });

  it('stops everything, dumps when configured, then exits', async () => {
    const { actor, published, calls } = setupDaemon({ dumpOnExit: true });
    actor.send({ type: 'BOOTED' });
    actor.send({ type: 'KILL' });
    expect(actor.getSnapshot().value).toBe('stoppingAll');
    await waitFor(actor, (s) => s.status === 'done');
    expect(actor.getSnapshot().value).toBe('exited');
    expect(calls).toEqual(['stopAllProcesses', 'dumpProcesses']);
    expect(published).toEqual([
      { type: 'daemon:dump', args: [] },
      { type: 'daemon:exit', args: [] },
    ]);
  });

  it('exits without dumping when not configured', async () => {
    const { actor, published, calls } = setupDaemon();
    actor.send({ type: 'BOOTED' });
    actor.send({ type: 'KILL' });
    await waitFor(actor, (s) => s.status === 'done');
    expect(calls).toEqual(['stopAllProcesses']);
    expect(published).toEqual([{ type: 'daemon:exit', args: [] }]);
  });

  it('goes to fatality on FATAL with the error', () => {
    const { actor, published } = setupDaemon();
    actor.send({ type: 'BOOTED' });
    actor.send({ type: 'FATAL', error: boom });
    expect(actor.getSnapshot().value).toBe('fatality');
    expect(actor.getSnapshot().status).toBe('done');
    expect(published).toEqual([{ type: 'daemon:fatality', args: [boom] }]);
  });

  it('treats failing to stop every process as a fatality', async () => {
    const { actor, published } = setupDaemon({}, ['stopAllProcesses']);
    actor.send({ type: 'BOOTED' });
    actor.send({ type: 'KILL' });
    await waitFor(actor, (s) => s.status === 'done');
    expect(actor.getSnapshot().value).toBe('fatality');
    expect(published).toEqual([
      {
        type: 'daemon:fatality',
        args: [expect.objectContaining({ name: 'Error', message: 'stopAllProcesses broke' })],
      },
    ]);
  });

  it('keeps running when a restore or dump fails, logging the error', async () => {
    const { actor, published } = setupDaemon({ autoresume: true }, [
      'restoreProcesses',
      'dumpProcesses',
    ]);
    actor.send({ type: 'BOOTED' });
    await waitFor(actor, (s) => s.matches('running'));
    actor.send({ type: 'DUMP' });
    await waitFor(actor, (s) => s.matches('running'));
    expect(actor.getSnapshot().context.lastError?.message).toBe('dumpProcesses broke');
    expect(published).toEqual([
      {
        type: 'daemon:log:error',
        args: [{ date: 1_000, message: 'restore failed: restoreProcesses broke' }],
      },
      {
        type: 'daemon:log:error',
        args: [{ date: 1_000, message: 'dump failed: dumpProcesses broke' }],
      },
    ]);
  });

  it('keeps a bounded history of transitions with clock times', async () => {
    const { actor, clock } = setupDaemon({ historyLimit: 3 });
    actor.send({ type: 'BOOTED' });
    clock.increment(5);
    actor.send({ type: 'DUMP' });
    await waitFor(actor, (s) => s.matches('running'));
    expect(actor.getSnapshot().context.history).toEqual([
      { time: 1_000, from: 'booting', to: 'running', cause: { event: 'BOOTED' } },
      { time: 1_005, from: 'running', to: 'dumping', cause: { event: 'DUMP' } },
      {
        time: 1_005,
        from: 'dumping',
        to: 'running',
        cause: { event: 'xstate.done.actor.dumpProcesses' },
      },
    ]);
    actor.send({ type: 'FATAL', error: boom });
    expect(actor.getSnapshot().context.history.at(-1)).toEqual({
      time: 1_005,
      from: 'running',
      to: 'fatality',
      cause: { event: 'FATAL', error: 'boom' },
    });
  });

  it('fails loudly when its effects are not provided', async () => {
    const clock = new SimulatedClock();
    const actor = createActor(daemonMachine, {
      input: { autoresume: true, dumpOnExit: false, clock },
    });
    const errors: unknown[] = [];
    actor.subscribe({ error: (e) => errors.push(e) });
    actor.start();
    actor.send({ type: 'BOOTED' });
    await expect(waitFor(actor, (s) => s.matches('running'))).rejects.toThrow(/not provided/);
    expect(actor.getSnapshot().status).toBe('error');
    expect(String(errors[0])).toMatch(/"publish" action was not provided/);

    const published: BusEvent[] = [];
    const withBus = createActor(
      daemonMachine.provide({ actions: { publish: (_, e) => void published.push(e) } }),
      { input: { autoresume: true, dumpOnExit: false, clock } },
    ).start();
    withBus.send({ type: 'BOOTED' });
    await waitFor(withBus, (s) => s.matches('running'));
    expect(withBus.getSnapshot().context.lastError).toMatchObject({
      code: 'GUV_ACTOR_NOT_PROVIDED',
      message: `the daemon chart's "restoreProcesses" actor was not provided`,
    });
  });

  it('reaches every state by shortest paths', () => {
    const error = new Error('x');
    const events = [
      { type: 'BOOTED' },
      { type: 'DUMP' },
      { type: 'RESTORE' },
      { type: 'KILL' },
      { type: 'FATAL', error: boom },
      ...['restoreProcesses', 'dumpProcesses', 'stopAllProcesses'].flatMap((id) => [
        { type: `xstate.done.actor.${id}` },
        { type: `xstate.error.actor.${id}`, error },
      ]),
    ] as unknown as DaemonEvent[];
    const reached = new Set<string>();
    for (const autoresume of [true, false]) {
      for (const dumpOnExit of [true, false]) {
        const paths = getShortestPaths(
          daemonMachine.provide({ actions: { publish: () => {} } }) as AnyActorLogic,
          {
            input: { autoresume, dumpOnExit, clock: new SimulatedClock() },
            events,
            serializeState: (s) => JSON.stringify((s as { value: unknown }).value),
          },
        );
        for (const p of paths) reached.add(String((p.state as { value: unknown }).value));
      }
    }
    expect([...reached].sort()).toEqual(Object.keys(daemonMachine.root.states).sort());
  });
});

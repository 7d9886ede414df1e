import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, SimulatedClock, waitFor } from 'xstate';
import type { BusEvent } from '../../src/bus/events.js';
import { daemonMachine } from '../../src/machines/daemon/daemon-machine.js';

/** The daemon chart with fakes whose next outcome the test chooses, one per call. */
function daemonWith(outcomes: Record<string, Array<'ok' | string>>) {
  const clock = new SimulatedClock();
  const published: BusEvent[] = [];
  const fake = (name: string) =>
    fromPromise<void>(async () => {
      const next = outcomes[name]?.shift() ?? 'ok';
      if (next !== 'ok') throw new Error(next);
    });
  const actor = createActor(
    daemonMachine.provide({
      actors: {
        restoreProcesses: fake('restoreProcesses'),
        dumpProcesses: fake('dumpProcesses'),
        stopAllProcesses: fake('stopAllProcesses'),
      },
      actions: { publish: (_, event) => void published.push(event) },
    }),
    { clock, input: { autoresume: true, dumpOnExit: false, clock } },
  ).start();
  const settled = () => waitFor(actor, (s) => s.value === 'running' || s.status === 'done');
  return { actor, published, settled };
}

describe('finding 12: the daemon chart forgets a failure when the next operation starts', () => {
  it('finding 12: a failed restore is not the outcome of the dump, restore or kill that follow', async () => {
    const { actor, published, settled } = daemonWith({
      restoreProcesses: ['boot restore broke', 'restore broke', 'ok'],
    });
    actor.send({ type: 'BOOTED' });
    await settled();
    expect(actor.getSnapshot().context.lastError?.message).toBe('boot restore broke');

    actor.send({ type: 'RESTORE' });
    // The operation under way has no outcome yet, least of all the previous one's.
    expect(actor.getSnapshot().context.lastError).toBeNull();
    await settled();
    expect(actor.getSnapshot().context.lastError?.message).toBe('restore broke');

    actor.send({ type: 'DUMP' });
    expect(actor.getSnapshot().context.lastError).toBeNull();
    await settled();
    expect(actor.getSnapshot().context.lastError).toBeNull();
    expect(published.at(-1)).toEqual({ type: 'daemon:dump', args: [] });

    actor.send({ type: 'RESTORE' });
    await settled();
    expect(actor.getSnapshot().context.lastError).toBeNull();
    expect(published.at(-1)).toEqual({ type: 'daemon:restore', args: [] });
  });

  it('finding 12: a kill after a failed dump exits cleanly with no error of its own', async () => {
    const { actor, published, settled } = daemonWith({ dumpProcesses: ['EISDIR'] });
    actor.send({ type: 'BOOTED' });
    await settled();
    actor.send({ type: 'DUMP' });
    await settled();
    expect(actor.getSnapshot().context.lastError?.message).toBe('EISDIR');
    actor.send({ type: 'KILL' });
    await settled();
    expect(actor.getSnapshot().value).toBe('exited');
    expect(actor.getSnapshot().context.lastError).toBeNull();
    expect(published.at(-1)).toEqual({ type: 'daemon:exit', args: [] });
  });
});

import { describe, expect, it } from 'vitest';
import { assign, createActor, createMachine, setup } from 'xstate';
import { settle } from '../../src/supervision/settle.js';
import { GuvError } from '../../src/errors.js';

const machine = setup({
  types: { context: {} as { n: number }, events: {} as { type: 'INC' } | { type: 'BREAK' } },
  actions: {
    breakDown: () => {
      throw new Error('chart bug');
    },
  },
}).createMachine({
  context: { n: 0 },
  initial: 'counting',
  states: {
    counting: {
      on: {
        INC: { actions: assign({ n: ({ context }) => context.n + 1 }) },
        BREAK: { actions: 'breakDown' },
      },
      always: { guard: ({ context }) => context.n >= 10, target: 'done' },
    },
    done: { type: 'final' },
  },
});

const options = {
  timeoutMs: 200,
  what: 'count',
  name: 'counter',
  where: (s: { context: { n: number } }) => `n ${s.context.n}`,
};

function counter() {
  const actor = createActor(machine);
  actor.subscribe({ error: () => {} });
  return actor.start();
}

describe('settle: one wait for a request’s outcome, from snapshots', () => {
  it('answers from the current snapshot at once, and from later ones as they come', async () => {
    const actor = counter();
    await expect(
      settle(actor, (s) => (s.context.n === 0 ? 'zero' : undefined), options),
    ).resolves.toBe('zero');
    const two = settle(actor, (s) => (s.context.n === 2 ? s.context.n : undefined), options);
    actor.send({ type: 'INC' });
    actor.send({ type: 'INC' });
    await expect(two).resolves.toBe(2);
  });

  it('fails with GUV_TIMEOUT saying where the chart is', async () => {
    const actor = counter();
    const error = await settle(actor, () => undefined, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GuvError);
    expect(error).toMatchObject({
      code: 'GUV_TIMEOUT',
      message: 'count of counter did not finish within 200 ms (n 0)',
    });
  });

  it('fails with what the outcome throws', async () => {
    const actor = counter();
    const failing = settle(
      actor,
      (s) => {
        if (s.context.n === 1) throw new GuvError('GUV_RELOAD_FAILED', 'no');
        return undefined;
      },
      options,
    );
    actor.send({ type: 'INC' });
    await expect(failing).rejects.toMatchObject({ code: 'GUV_RELOAD_FAILED' });
  });

  it('fails with GUV_CHART_FAILED when the chart errors, or ends with no outcome', async () => {
    const broken = counter();
    const waiting = settle(broken, () => undefined, options);
    broken.send({ type: 'BREAK' });
    await expect(waiting).rejects.toMatchObject({
      code: 'GUV_CHART_FAILED',
      message: 'the chart of counter failed',
    });
    const ended = counter();
    const never = settle(ended, (s) => (s.context.n === 99 ? true : undefined), options);
    for (let i = 0; i < 10; i += 1) ended.send({ type: 'INC' });
    await expect(never).rejects.toMatchObject({ code: 'GUV_CHART_FAILED' });
    // A final state that is the outcome is an answer, not a failure.
    const finals = createActor(
      createMachine({ initial: 'end', states: { end: { type: 'final' } } }),
    );
    finals.start();
    await expect(
      settle(finals, (s) => (s.value === 'end' ? 'end' : undefined), {
        ...options,
        where: () => '',
      }),
    ).resolves.toBe('end');
  });
});

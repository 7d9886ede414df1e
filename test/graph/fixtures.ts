import { and, fromPromise, not, setup } from 'xstate';

/**
 * A small machine with one of everything the graph must show: always, a named and a numeric
 * `after`, guards (named and combined), nested and parallel states, history, final states,
 * invoke onDone/onError, a state `onDone`, an internal root transition, a reentering self
 * transition and a custom state id.
 */
export const demoMachine = setup({
  types: {} as { events: { type: 'GO' } | { type: 'PING' } | { type: 'RESET' } },
  actions: { log: () => {}, enterIdle: () => {}, leaveIdle: () => {} },
  guards: { ready: () => true, blocked: () => false },
  delays: { backoff: 100 },
  actors: { job: fromPromise(async () => 1) },
}).createMachine({
  id: 'demo',
  initial: 'idle',
  on: { PING: { actions: 'log' } },
  states: {
    idle: {
      entry: 'enterIdle',
      exit: 'leaveIdle',
      on: { GO: { target: 'busy', guard: and(['ready', not('blocked')]) } },
      always: { target: 'done', guard: 'blocked' },
    },
    busy: {
      type: 'parallel',
      onDone: 'working',
      on: { RESET: '.left.hist' },
      states: {
        left: {
          initial: 'a',
          states: {
            a: { after: { backoff: 'b' } },
            b: { type: 'final' },
            hist: { type: 'history', history: 'deep' },
          },
        },
        right: {
          initial: 'x',
          states: { x: { tags: ['spin'], on: { GO: { target: 'x', reenter: true } } }, y: {} },
        },
      },
    },
    working: {
      id: 'work',
      invoke: { src: 'job', onDone: 'done', onError: { target: 'idle', actions: 'log' } },
      after: { 500: 'idle' },
    },
    done: { type: 'final' },
  },
});

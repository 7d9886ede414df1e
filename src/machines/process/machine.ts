import type { ProcessSpec } from './child-protocol.js';
import { processLifecycleEvents } from './lifecycle-events.js';
import { createSupervisionContext, type SupervisionInputBase } from './supervision-context.js';
import { createSupervisionMachine } from './supervision-machine.js';

/** Input of the process chart. `policy` and `timeouts` fall back to the defaults. */
export interface ProcessInput extends SupervisionInputBase {
  /** Display name; defaults to the id. */
  name?: string;
  spec: ProcessSpec;
}

/**
 * The chart of one supervised process. Provide `child` (the real child, or a fake from
 * guv/testing) and `publish` (the bus), then send it START / STOP / RESTART.
 *
 * @example
 * const actor = createActor(
 *   processMachine.provide({ actors: { child }, actions: { publish: (_, event) => bus.publish(event) } }),
 *   { input: { id: 'web', spec, clock: { now: Date.now } } },
 * ).start();
 * actor.send({ type: 'START', by: 'cli' });
 */
export const processMachine = createSupervisionMachine({
  id: 'process',
  events: processLifecycleEvents,
  context: (input: ProcessInput) => createSupervisionContext(input, input.name ?? input.id, null),
});

export type ProcessMachine = typeof processMachine;

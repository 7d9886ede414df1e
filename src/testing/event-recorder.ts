import type { BusEvent, GuvEventName, GuvEvents } from '../bus/events.js';

/** Collects what a chart publishes. */
export interface EventRecorder {
  /** The `publish` action to provide: `machine.provide({ actions: { publish: recorder.publish } })`. */
  publish: (_: unknown, event: BusEvent) => void;
  /** Every published event, oldest first. */
  events: BusEvent[];
  /** Event names in order: `['process:starting', 'process:forked', …]`. */
  types(): GuvEventName[];
  /** The argument lists of every event called `type`. */
  argsOf<K extends GuvEventName>(type: K): GuvEvents[K][];
  last(): BusEvent | undefined;
  clear(): void;
}

/**
 * @example
 * const recorder = createEventRecorder();
 * const machine = processMachine.provide({ actions: { publish: recorder.publish } });
 * // … drive it …
 * expect(recorder.types()).toEqual(['process:starting', 'process:forked']);
 */
export function createEventRecorder(): EventRecorder {
  const events: BusEvent[] = [];
  return {
    publish: (_, event) => {
      events.push(event);
    },
    events,
    types: () => events.map((event) => event.type),
    argsOf: <K extends GuvEventName>(type: K) =>
      events.filter((event) => event.type === type).map((event) => event.args as GuvEvents[K]),
    last: () => events.at(-1),
    clear: () => {
      events.length = 0;
    },
  };
}

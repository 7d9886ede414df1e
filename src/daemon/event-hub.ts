import type { Bus } from '../bus/bus.js';
import type { BusEvent, GuvEventName, GuvEvents } from '../bus/events.js';

/** Somewhere besides the in-process bus that events go: the RPC socket, the web page, a remote. */
export interface EventOutlet {
  isWatched(type: string): boolean;
  publish(type: string, args: unknown[]): void;
}

/**
 * The daemon's one place to publish events: its in-process bus plus every outlet. An outlet is
 * asked whether it wants an event instead of listening on `'*'`, so `isWatched` stays false
 * (and costly events, such as log lines, unbuilt) while nobody anywhere watches.
 */
export function createEventHub(bus: Bus) {
  const outlets = new Set<EventOutlet>();
  const watchListeners = new Set<() => void>();

  function isWatched(type: GuvEventName): boolean {
    if (bus.isWatched(type)) return true;
    for (const outlet of outlets) if (outlet.isWatched(type)) return true;
    return false;
  }

  function emit<K extends GuvEventName>(type: K, ...args: GuvEvents[K]): void {
    (bus.emit as (type: K, ...args: GuvEvents[K]) => void)(type, ...args);
    for (const outlet of outlets) if (outlet.isWatched(type)) outlet.publish(type, args);
  }

  return {
    bus,
    isWatched,
    emit,
    emitEvent(event: BusEvent): void {
      emit(event.type, ...(event.args as GuvEvents[typeof event.type]));
    },
    /** The bus or an outlet says its subscriptions changed: what `isWatched` answers may too. */
    watchesChanged(): void {
      for (const listener of watchListeners) listener();
    },
    /** `listener` runs after any subscription anywhere changes; returns the unsubscribe. */
    onWatchesChange(listener: () => void): () => void {
      watchListeners.add(listener);
      return () => watchListeners.delete(listener);
    },
    attach(outlet: EventOutlet): () => void {
      outlets.add(outlet);
      return () => outlets.delete(outlet);
    },
  };
}

export type EventHub = ReturnType<typeof createEventHub>;

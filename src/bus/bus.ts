import mittModule, { type Emitter } from 'mitt';
import { GuvError } from '../errors.js';
import type { BusEvent, GuvEvents } from './events.js';
import type {
  AnyEventListener,
  EventMap,
  EventName,
  ExactListener,
  KnownPattern,
  PatternListener,
  PatternString,
  Unsubscribe,
} from './listener-types.js';
import { assertValidPattern, compilePattern, isPattern } from './pattern.js';

export interface BusOptions {
  /**
   * Receives whatever a listener throws (or its returned promise rejects with), with the event
   * type. Default: `process.emitWarning` naming the event type.
   */
  onListenerError?: (error: unknown, type: string) => void;
  /** Called after any subscription is added or removed (what `isWatched` answers may change). */
  onSubscriptionsChange?: () => void;
}

/**
 * The typed event bus. Exact names get `(...args)`; `'*'` and patterns such as `'process:*'`
 * or `'*:log:error'` get `(type, ...args)`. A throwing listener never stops the others.
 */
export interface Bus<M extends EventMap<M> = GuvEvents> {
  on<K extends EventName<M>>(type: K, listener: ExactListener<M, K>): Unsubscribe;
  on<P extends PatternString>(
    pattern: P & KnownPattern<M, P>,
    listener: PatternListener<M, P>,
  ): Unsubscribe;
  /** Like `on`, removed before its first call. */
  once<K extends EventName<M>>(type: K, listener: ExactListener<M, K>): Unsubscribe;
  once<P extends PatternString>(
    pattern: P & KnownPattern<M, P>,
    listener: PatternListener<M, P>,
  ): Unsubscribe;
  /** Removes one registration of `listener` (also one made with `once`) for this name or pattern. */
  off<K extends EventName<M>>(type: K, listener: ExactListener<M, K>): void;
  off<P extends PatternString>(pattern: P, listener: PatternListener<M, P>): void;
  /**
   * Subscribes to a name or pattern known only at run time (a remote subscriber's, say); the
   * listener always receives `(type, ...args)`, even for an exact name.
   */
  onMatch(nameOrPattern: string, listener: AnyEventListener<M>): Unsubscribe;
  emit<K extends EventName<M>>(type: K, ...args: M[K]): void;
  /** `emit(event.type, ...event.args)`, for events held as data. */
  emitEvent(event: BusEvent<M>): void;
  /** Whether any listener would receive `type`: build costly payloads (log events) only if so. */
  isWatched(type: EventName<M>): boolean;
}

// biome-ignore lint/suspicious/noExplicitAny: listeners are stored untyped; the Bus type checks them.
type AnyListener = (...args: any[]) => unknown;
type OnceListener = AnyListener & { original?: AnyListener };
type Registry = Emitter<Record<string, unknown>>;

/** The listeners one event type reaches, precomputed; arrays are never mutated once built. */
interface Route {
  readonly exact: readonly AnyListener[];
  readonly typed: readonly AnyListener[];
  readonly watched: boolean;
}

// mitt's types are CommonJS-shaped (under NodeNext the default import looks like the module
// object), while Node and vite load its ESM build, whose default export is the factory itself.
const mitt: typeof mittModule.default =
  typeof mittModule === 'function' ? mittModule : mittModule.default;

const NONE: readonly AnyListener[] = Object.freeze([]);
// Routes are cached per emitted name; only a program emitting unbounded names could grow this.
const MAX_ROUTES = 10_000;

/**
 * Creates a bus. mitt holds the subscriptions, keyed by the name or pattern given; the bus
 * adds pattern matching, per-type routes, listener isolation and the types.
 *
 * @example
 * const bus = createBus();
 * bus.on('process:exit', (info, error, code, signal) => console.log(info.name, code, signal));
 * bus.on('*:log:error', (type, info, ...rest) => console.error(type));
 * if (bus.isWatched('process:log:info')) bus.emit('process:log:info', info, record);
 */
export function createBus<M extends EventMap<M> = GuvEvents>(options: BusOptions = {}): Bus<M> {
  const reportError = options.onListenerError ?? warnListenerError;
  // Listeners called with (...args): exact names via on/once.
  const exact: Registry = mitt();
  // Listeners called with (type, ...args): patterns, and anything via onMatch.
  const typed: Registry = mitt();
  const routes = new Map<string, Route>();

  function subscribe(registry: Registry, key: string, listener: AnyListener): Unsubscribe {
    assertValidPattern(key);
    if (typeof listener !== 'function') {
      throw new TypeError(`bus listener for "${key}" must be a function, got ${typeof listener}`);
    }
    registry.on(key, listener);
    invalidate(key);
    options.onSubscriptionsChange?.();
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      remove(registry, key, listener);
    };
  }

  function remove(registry: Registry, key: string, listener: AnyListener): boolean {
    const listeners = registry.all.get(key) as OnceListener[] | undefined;
    if (listeners === undefined) return false;
    const found = listeners.find((l) => l === listener || l.original === listener);
    if (found === undefined) return false;
    registry.off(key, found);
    if (listeners.length === 0) registry.all.delete(key);
    invalidate(key);
    options.onSubscriptionsChange?.();
    return true;
  }

  function invalidate(key: string): void {
    if (!isPattern(key)) {
      routes.delete(key);
      return;
    }
    const matches = compilePattern(key);
    for (const type of routes.keys()) if (matches(type)) routes.delete(type);
  }

  function buildRoute(type: string): Route {
    assertEventName(type);
    const exactListeners = (exact.all.get(type) as AnyListener[] | undefined)?.slice() ?? NONE;
    let typedListeners: AnyListener[] | undefined;
    for (const [key, listeners] of typed.all) {
      if (!compilePattern(key as string)(type)) continue;
      typedListeners ??= [];
      typedListeners.push(...(listeners as AnyListener[]));
    }
    const route: Route = {
      exact: exactListeners,
      typed: typedListeners ?? NONE,
      watched: exactListeners.length > 0 || typedListeners !== undefined,
    };
    if (routes.size >= MAX_ROUTES) routes.clear();
    routes.set(type, route);
    return route;
  }

  function dispatch(type: string, args: unknown[]): void {
    const route = routes.get(type) ?? buildRoute(type);
    if (!route.watched) return;
    const { exact: exactListeners, typed: typedListeners } = route;
    for (let i = 0; i < exactListeners.length; i++) {
      try {
        settle(exactListeners[i]!(...args), type);
      } catch (error) {
        report(error, type);
      }
    }
    for (let i = 0; i < typedListeners.length; i++) {
      try {
        settle(typedListeners[i]!(type, ...args), type);
      } catch (error) {
        report(error, type);
      }
    }
  }

  // An async listener's rejection is reported like a throw instead of going unhandled.
  function settle(result: unknown, type: string): void {
    if (result !== undefined && typeof (result as PromiseLike<unknown>)?.then === 'function') {
      (result as PromiseLike<unknown>).then(undefined, (error: unknown) => report(error, type));
    }
  }

  function report(error: unknown, type: string): void {
    try {
      reportError(error, type);
    } catch (reporterError) {
      warnListenerError(reporterError, type);
    }
  }

  function registryFor(key: string): Registry {
    return isPattern(key) ? typed : exact;
  }

  function once(key: string, listener: AnyListener): Unsubscribe {
    let fired = false;
    const wrapper: OnceListener = (...args: unknown[]) => {
      // A re-entrant emit can reach the wrapper again before the removal below takes effect.
      if (fired) return;
      fired = true;
      unsubscribe();
      return listener(...args);
    };
    wrapper.original = listener;
    const unsubscribe = subscribe(registryFor(key), key, wrapper);
    return unsubscribe;
  }

  const bus = {
    on: (key: string, listener: AnyListener) => subscribe(registryFor(key), key, listener),
    once,
    off: (key: string, listener: AnyListener) => {
      remove(exact, key, listener) || remove(typed, key, listener);
    },
    onMatch: (key: string, listener: AnyListener) => subscribe(typed, key, listener),
    emit: (type: string, ...args: unknown[]) => dispatch(type, args),
    emitEvent: (event: { type: string; args: unknown[] }) => dispatch(event.type, event.args),
    isWatched: (type: string) => (routes.get(type) ?? buildRoute(type)).watched,
  };
  return bus as unknown as Bus<M>;
}

function assertEventName(type: string): void {
  assertValidPattern(type);
  if (isPattern(type)) {
    throw new GuvError(
      'GUV_BAD_EVENT_NAME',
      `cannot emit or test the pattern "${type}": events have exact names`,
    );
  }
}

function warnListenerError(error: unknown, type: string): void {
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.emitWarning(`a bus listener for "${type}" threw: ${detail}`, {
    type: 'GuvBusWarning',
    code: 'GUV_LISTENER_THREW',
  });
}

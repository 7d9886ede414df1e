/** An event map: every event name to its argument tuple (see `GuvEvents`). */
export type EventMap<M> = { [K in keyof M]: unknown[] };

/** The event names of map `M`. */
export type EventName<M> = keyof M & string;

/** A string literal that contains `*`: a pattern rather than an exact name. */
export type PatternString = `${string}*${string}`;

/** Listener for one exact event: receives that event's arguments. */
export type ExactListener<M extends EventMap<M>, K extends EventName<M>> = (...args: M[K]) => void;

/** `[type, ...args]` for each name in `Names`, as a union a listener can narrow on `type`. */
export type TypedEvent<M extends EventMap<M>, Names extends EventName<M>> = {
  [K in Names]: [type: K, ...args: M[K]];
}[Names];

/**
 * Type-level copy of the runtime pattern rule (see pattern.ts): `true` when name `N` is
 * matched by pattern `P`.
 */
export type MatchesPattern<N extends string, P extends string> = P extends '*'
  ? true
  : P extends `*:${infer PatternRest}`
    ? N extends `${string}:${infer NameRest}`
      ? MatchesPattern<NameRest, PatternRest>
      : false
    : P extends `${infer Head}:${infer PatternRest}`
      ? N extends `${Head}:${infer NameRest}`
        ? MatchesPattern<NameRest, PatternRest>
        : false
      : N extends P
        ? true
        : false;

/** The names of `M` that pattern `P` matches. */
export type NamesMatching<M, P extends string> = {
  [K in EventName<M>]: MatchesPattern<K, P> extends true ? K : never;
}[EventName<M>];

/** Listener for a pattern: receives `(type, ...args)` for any event the pattern matches. */
export type PatternListener<M extends EventMap<M>, P extends string> = string extends P
  ? AnyEventListener<M>
  : (...event: TypedEvent<M, NamesMatching<M, P>>) => void;

/** Listener that receives `(type, ...args)` for any event of `M`. */
export type AnyEventListener<M extends EventMap<M>> = (
  ...event: TypedEvent<M, EventName<M>>
) => void;

/** Rejects (as `never`) a pattern literal that matches no event name of `M`. */
export type KnownPattern<M, P extends string> = [NamesMatching<M, P>] extends [never] ? never : P;

/** Call it to remove the listener it was returned for. */
export type Unsubscribe = () => void;

/** An event map: every event name to its argument tuple (see `GuvEvents`). */
export type EventMap<M> = { [K in keyof M]: unknown[] };

/** The event names of map `M`. */
export type EventName<M> = keyof M & string;

/** A string literal that contains `*`: a pattern rather than an exact name. */
export type PatternString = `${string}*${string}`;

/** Listener for one exact event: receives that event's arguments. */
export type ExactListener<M extends EventMap<M>, K extends EventName<M>> = (...args: M[K]) => void;

/** `[type, ...args]` for each name in `Names`: events as data, one tuple per name. */
export type TypedEvent<M extends EventMap<M>, Names extends EventName<M>> = {
  [K in Names]: [type: K, ...args: M[K]];
}[Names];

type Head<T> = T extends [infer H, ...unknown[]] ? H : undefined;
type Tail<T> = T extends [unknown, ...infer R] ? R : [];
type Heads<T> = [T] extends [[]] ? [] : [Head<T>, ...Heads<Tail<T>>];

/**
 * Merges a union of argument tuples position by position: `[A, B] | [C]` becomes
 * `[A | C, B?]`. TypeScript rejects listeners with fewer parameters than a union of tuples of
 * different lengths (it only correlates them at full arity), so pattern listeners get this.
 */
export type MergedArgs<T> = [T] extends [never]
  ? []
  : [Extract<T, []>] extends [never]
    ? [Head<T>, ...MergedArgs<Tail<T>>]
    : Partial<Heads<T>>;

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

/**
 * Listener for the events named `Names`: receives `(type, ...args)`, `type` narrowed to those
 * names and each argument typed as the union of what those events carry in that position.
 */
export type TypedListener<M extends EventMap<M>, Names extends EventName<M>> = (
  type: Names,
  ...args: MergedArgs<M[Names]>
) => void;

/** Listener for a pattern: receives `(type, ...args)` for any event the pattern matches. */
export type PatternListener<M extends EventMap<M>, P extends string> = string extends P
  ? AnyEventListener<M>
  : TypedListener<M, NamesMatching<M, P>>;

/** Listener that receives `(type, ...args)` for any event of `M`. */
export type AnyEventListener<M extends EventMap<M>> = TypedListener<M, EventName<M>>;

/** Rejects (as `never`) a pattern literal that matches no event name of `M`. */
export type KnownPattern<M, P extends string> = [NamesMatching<M, P>] extends [never] ? never : P;

/** Call it to remove the listener it was returned for. */
export type Unsubscribe = () => void;

export { type Bus, type BusOptions, createBus } from './bus.js';
export type { BusEvent, GuvEventName, GuvEvents, JsonValue } from './events.js';
export type {
  AnyEventListener,
  EventMap,
  EventName,
  ExactListener,
  MatchesPattern,
  MergedArgs,
  NamesMatching,
  PatternListener,
  PatternString,
  TypedEvent,
  TypedListener,
  Unsubscribe,
} from './listener-types.js';
export {
  assertValidPattern,
  compilePattern,
  type EventMatcher,
  isPattern,
  matchesPattern,
} from './pattern.js';

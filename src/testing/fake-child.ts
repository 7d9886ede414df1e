import { type CallbackActorLogic, fromCallback } from 'xstate';
import type { ChildCommand, ChildEvent, ChildInput } from '../machines/process/child-protocol.js';
import type { SerializedError } from '../types/info.js';

/** Anything a test may pass as an error: a message, an Error, or already serialized. */
export type ErrorLike = string | Error | SerializedError;

/** Plays the child of one chart (or of several, told apart by id) inside a test. */
export interface FakeChild {
  /** The `child` actor to provide: `machine.provide({ actors: { child: fake.logic } })`. */
  logic: CallbackActorLogic<ChildCommand, ChildInput>;
  /** Every command the chart sent, oldest first. */
  commands: ChildCommand[];
  /** The input of every child the chart invoked, oldest first. */
  inputs: ChildInput[];
  /** Whether a child is currently invoked (for `id`, or the latest). */
  isAlive(id?: string): boolean;
  /** The signals received so far: `['SIGTERM', 'SIGKILL']`. */
  signals(): string[];
  fork(pid?: number, id?: string): void;
  started(id?: string): void;
  ready(id?: string): void;
  exit(code?: number | null, signal?: string | null, id?: string): void;
  spawnFailed(error: ErrorLike, id?: string): void;
  errored(error: ErrorLike, id?: string): void;
  uncaught(error: ErrorLike, id?: string): void;
  fatality(error: ErrorLike, id?: string): void;
  heartbeat(id?: string): void;
  paused(id?: string): void;
  /** Sends any ChildEvent as the child. */
  send(event: ChildEvent, id?: string): void;
}

/**
 * A scripted `child` actor: the test plays the child's part, the chart reacts.
 *
 * @example
 * const child = createFakeChild();
 * const actor = createActor(processMachine.provide({ actors: { child: child.logic } }), { input, clock }).start();
 * actor.send({ type: 'START' });
 * child.fork(4242);
 * child.ready();
 * actor.send({ type: 'STOP' });
 * expect(child.signals()).toEqual(['SIGTERM']);
 * child.exit(null, 'SIGTERM');
 */
export function createFakeChild(): FakeChild {
  const live = new Map<string, (event: ChildEvent) => void>();
  const commands: ChildCommand[] = [];
  const inputs: ChildInput[] = [];
  let nextPid = 1000;

  const logic = fromCallback<ChildCommand, ChildInput>(({ input, sendBack, receive }) => {
    inputs.push(input);
    live.set(input.id, sendBack);
    receive((command) => commands.push(command));
    return () => {
      if (live.get(input.id) === sendBack) live.delete(input.id);
    };
  });

  const send = (event: ChildEvent, id?: string) => {
    const key = id ?? inputs.at(-1)?.id;
    const sendBack = key === undefined ? undefined : live.get(key);
    if (!sendBack)
      throw new Error(
        `fake child${id ? ` ${id}` : ''} is not running: the chart has not invoked it`,
      );
    sendBack(event);
  };

  return {
    logic,
    commands,
    inputs,
    isAlive: (id) => {
      const key = id ?? inputs.at(-1)?.id;
      return key !== undefined && live.has(key);
    },
    signals: () => commands.map((command) => command.signal),
    fork: (pid = nextPid++, id) => send({ type: 'CHILD.FORKED', pid }, id),
    started: (id) => send({ type: 'CHILD.STARTED' }, id),
    ready: (id) => send({ type: 'CHILD.READY' }, id),
    exit: (code = 0, signal = null, id) => send({ type: 'CHILD.EXIT', code, signal }, id),
    spawnFailed: (error, id) =>
      send({ type: 'CHILD.SPAWN_FAILED', error: toSerialized(error) }, id),
    errored: (error, id) => send({ type: 'CHILD.ERRORED', error: toSerialized(error) }, id),
    uncaught: (error, id) => send({ type: 'CHILD.UNCAUGHT', error: toSerialized(error) }, id),
    fatality: (error, id) => send({ type: 'CHILD.FATALITY', error: toSerialized(error) }, id),
    heartbeat: (id) => send({ type: 'CHILD.HEARTBEAT' }, id),
    paused: (id) => send({ type: 'CHILD.PAUSED' }, id),
    send,
  };
}

function toSerialized(error: ErrorLike): SerializedError {
  if (typeof error === 'string') return { name: 'Error', message: error };
  if (error instanceof Error)
    return {
      name: error.name,
      message: error.message,
      ...(error.stack ? { stack: error.stack } : {}),
    };
  return error;
}

import type { ChildProcess } from 'node:child_process';

/**
 * Node's IPC channel has no size limit: with `serialization: 'json'` the parent appends every
 * read to a string until the child sends a newline, so a child writing one endless message
 * (or raw bytes to its IPC fd) grows the parent without bound, up to V8's string limit, after
 * which every read throws. Node offers no option for this; the channel's handle and its buffer
 * are internal. This reaches them by their symbols' names (stable since Node 14) and, after
 * each read, checks the unfinished message: longer than `maxLength` characters (plus one read,
 * 64 KiB), the buffer is dropped, reading stops, the channel is closed and `onOverflow` runs
 * (the caller kills the child). Returns false when this Node's internals differ: no cap then.
 *
 * @example
 * capIpcMessages(child, WRAPPER_LIMITS.ipcMessage, () => killGroup(child.pid!, 'SIGKILL'));
 */
export function capIpcMessages(
  child: ChildProcess,
  maxLength: number,
  onOverflow: () => void,
): boolean {
  const handle = internal(child, 'kChannelHandle') as ChannelHandle | undefined;
  if (!handle || typeof handle.onread !== 'function') return false;
  const buffer = symbolNamed(handle, 'kJSONBuffer');
  if (!buffer || typeof handle[buffer] !== 'string') return false;
  const read = handle.onread;
  let over = false;
  handle.onread = function cappedRead(this: unknown, ...args: unknown[]) {
    const result = read.apply(this, args);
    if (!over && (handle[buffer] as string).length > maxLength) {
      over = true;
      handle[buffer] = '';
      // Node waits for the message being read before it closes a `buffering` channel.
      handle.buffering = false;
      handle.readStop?.();
      setImmediate(() => {
        if (child.connected) child.disconnect();
      });
      onOverflow();
    }
    return result;
  };
  return true;
}

/**
 * Bytes written to the child's IPC channel that it has not read yet (0 when unknown). Node
 * queues every `send` without limit; a child that stops reading while asking for answers would
 * pile them up in the daemon, so the daemon sends nothing more past a cap.
 */
export function ipcBacklog(child: ChildProcess): number {
  const handle = internal(child, 'kChannelHandle') as { writeQueueSize?: unknown } | undefined;
  const size = handle?.writeQueueSize;
  return typeof size === 'number' ? size : 0;
}

/**
 * A child can pass handles over IPC (`process.send(message, socket)`): Node opens each one in
 * the parent and hands it to 'message' or 'internalMessage' listeners, and without one it stays
 * open, so a child could use up the daemon's file descriptors. guv never takes a handle from a
 * child: every one is closed on arrival.
 */
export function refuseHandles(child: ChildProcess): void {
  const close = (_message: unknown, handle: unknown) => {
    if (handle) closeHandle(handle as Closable);
  };
  child.on('message', close);
  child.on('internalMessage', close);
}

type Closable = { destroy?(): void; close?(): void };

function closeHandle(handle: Closable): void {
  try {
    if (typeof handle.destroy === 'function') handle.destroy();
    else if (typeof handle.close === 'function') handle.close();
  } catch {
    // Already closed.
  }
}

interface ChannelHandle {
  [key: symbol]: unknown;
  onread: (...args: unknown[]) => unknown;
  buffering?: boolean;
  readStop?(): number;
}

function internal(target: object, name: string): unknown {
  const symbol = symbolNamed(target, name);
  return symbol ? (target as Record<symbol, unknown>)[symbol] : undefined;
}

function symbolNamed(target: object, name: string): symbol | undefined {
  return Object.getOwnPropertySymbols(target).find((symbol) => symbol.description === name);
}

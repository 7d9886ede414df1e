import { type Socket, createConnection } from 'node:net';
import { compilePattern } from '../bus/pattern.js';
import { isGuvErrorCode } from '../error-codes.js';
import { GuvError } from '../errors.js';
import type { MethodName, Reply, RequestArgs } from '../protocol/methods.js';
import {
  DROPPED_EVENT,
  type ErrorBody,
  createLineSplitter,
  encodeFrame,
  parseFrame,
} from '../rpc/frame.js';

// The CLI's cold path: only node builtins and import-free modules may be imported here.

export type RpcEventListener = (type: string, args: unknown[]) => void;

export interface RequestOptions {
  /** Reject with `GUV_RPC_TIMEOUT` after this long; defaults to the connection's. */
  timeoutMs?: number;
}

/** An open connection to a daemon's local RPC socket. */
export interface Connection {
  /** Call `method`; rejects with a `GuvError` carrying the daemon's code on an error reply. */
  request<M extends MethodName>(
    method: M,
    ...args: RequestArgs<M, RequestOptions>
  ): Promise<Reply<M>>;
  /** Any method with any params, unchecked: for servers other than guv's daemon, and for tests. */
  requestUnchecked(method: string, params?: unknown, options?: RequestOptions): Promise<unknown>;
  /** Receive events matching `pattern`; the daemon sends only those. Resolves once it agreed. */
  subscribe(pattern: string, listener: RpcEventListener): Promise<void>;
  /** Remove `listener` (or every listener) from `pattern`; the daemon stops sending when none is left. */
  unsubscribe(pattern: string, listener?: RpcEventListener): Promise<void>;
  /** Called with a count when the daemon skipped events because this side read too slowly. */
  onDropped(listener: (count: number) => void): void;
  /**
   * Called once when the connection ends: `GUV_DAEMON_GONE` when the daemon went away,
   * `GUV_CONNECTION_CLOSED` after `close()`.
   */
  onClose(listener: (error: GuvError) => void): void;
  readonly closed: boolean;
  /** Close now; pending requests reject with `GUV_CONNECTION_CLOSED`. Leaves no handle open. */
  close(): void;
}

export interface ConnectionOptions {
  /** Connect timeout and default per-request timeout. */
  timeoutMs?: number;
  /** Largest reply accepted (replies such as a long process list can be big). */
  maxFrameBytes?: number;
  /** Where a throwing event listener is reported; the other listeners still run. */
  onListenerError?: (error: unknown, type: string) => void;
}

/**
 * How a connection reaches its daemon: the local socket, or another stream such as the remote
 * TLS one (src/remote), which signs its requests and checks whom it reached before any is sent.
 */
export interface Transport {
  socket: Socket;
  /** The event after which requests may be written: `connect`, or `secureConnect` for TLS. */
  readyEvent: string;
  /** Where it connects, for messages. */
  where: string;
  /** Called once ready, before anything is written: an error refuses the connection. */
  checkReady?(): GuvError | undefined;
  /** The request frame to write (default: `{ id, method, params }`). */
  encodeRequest?(id: number, method: string, params: unknown): string;
  /** The error for a failure before the connection was ready. */
  connectError?(error: NodeJS.ErrnoException): GuvError;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: GuvError): void;
  timer: NodeJS.Timeout;
}

/**
 * Connect to the daemon at `socketPath`. Rejects with `GUV_DAEMON_NOT_RUNNING` when nothing
 * listens there, `GUV_RPC_TIMEOUT` when the connect takes longer than `timeoutMs`.
 *
 * @example
 * const connection = await openConnection(home.socket, { timeoutMs: 2000 });
 * const processes = await connection.request('list');
 * connection.close();
 */
export function openConnection(
  socketPath: string,
  options: ConnectionOptions = {},
): Promise<Connection> {
  return openTransport(
    () => ({
      socket: createConnection(socketPath),
      readyEvent: 'connect',
      where: socketPath,
      connectError: (error) => connectError(socketPath, error),
    }),
    options,
  );
}

/** A {@link Connection} over any stream `open` returns (see {@link Transport}). */
export function openTransport(
  open: () => Transport,
  options: ConnectionOptions = {},
): Promise<Connection> {
  const { timeoutMs = 5000, maxFrameBytes = 64 * 1024 * 1024 } = options;
  const onListenerError =
    options.onListenerError ??
    ((error: unknown, type: string) => console.error(`guv: a listener for ${type} threw`, error));

  return new Promise((resolve, reject) => {
    const transport = open();
    const { socket, where: socketPath } = transport;
    const encodeRequest =
      transport.encodeRequest ??
      ((id: number, method: string, params: unknown) => encodeFrame({ id, method, params }));
    const pending = new Map<number, Pending>();
    const listeners = new Map<string, Set<RpcEventListener>>();
    const confirmations = new Map<string, Promise<unknown>>();
    const droppedListeners: ((count: number) => void)[] = [];
    const closeListeners: ((error: GuvError) => void)[] = [];
    let nextId = 1;
    let connected = false;
    let closeReason: GuvError | undefined;

    const connectTimer = setTimeout(() => {
      fail(new GuvError('GUV_RPC_TIMEOUT', `no answer from ${socketPath} in ${timeoutMs} ms`));
    }, timeoutMs);

    const splitter = createLineSplitter(
      onLine,
      () =>
        fail(
          new GuvError(
            'GUV_FRAME_TOO_LARGE',
            `the daemon sent a frame over ${maxFrameBytes} bytes`,
          ),
        ),
      maxFrameBytes,
    );

    socket.once(transport.readyEvent, () => {
      clearTimeout(connectTimer);
      const refused = transport.checkReady?.();
      if (refused !== undefined) {
        fail(refused);
        return;
      }
      connected = true;
      resolve(connection);
    });
    socket.on('data', (chunk: Buffer) => splitter.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (connected) fail(gone(socketPath, error));
      else fail(transport.connectError?.(error) ?? connectError(socketPath, error));
    });
    socket.on('close', () => fail(gone(socketPath)));

    function onLine(line: string): void {
      const frame = parseFrame(line) as
        | { id?: unknown; result?: unknown; error?: ErrorBody; event?: unknown; args?: unknown }
        | undefined;
      if (typeof frame !== 'object' || frame === null) return;
      if (typeof frame.event === 'string') {
        dispatchEvent(frame.event, Array.isArray(frame.args) ? frame.args : []);
        return;
      }
      const entry = typeof frame.id === 'number' ? pending.get(frame.id) : undefined;
      if (entry === undefined) return;
      pending.delete(frame.id as number);
      clearTimeout(entry.timer);
      if (frame.error) {
        // A code this client does not know (a daemon of another version) is still a failure.
        const { code } = frame.error;
        entry.reject(
          new GuvError(isGuvErrorCode(code) ? code : 'GUV_INTERNAL', String(frame.error.message)),
        );
      } else {
        entry.resolve(frame.result);
      }
    }

    function dispatchEvent(type: string, args: unknown[]): void {
      if (type === DROPPED_EVENT) {
        for (const listener of droppedListeners) listener(Number(args[0]));
        return;
      }
      for (const [pattern, set] of listeners) {
        if (!compilePattern(pattern)(type)) continue;
        for (const listener of set) {
          try {
            listener(type, args);
          } catch (error) {
            onListenerError(error, type);
          }
        }
      }
    }

    function fail(reason: GuvError): void {
      if (closeReason) return;
      closeReason = reason;
      clearTimeout(connectTimer);
      socket.destroy();
      if (!connected) {
        reject(reason);
        return;
      }
      for (const entry of pending.values()) {
        clearTimeout(entry.timer);
        entry.reject(reason);
      }
      pending.clear();
      for (const listener of closeListeners) listener(reason);
    }

    const connection: Connection = {
      request(method, ...[params, requestOptions]) {
        return connection.requestUnchecked(method, params, requestOptions) as never;
      },
      requestUnchecked(method, params, requestOptions = {}) {
        if (closeReason) return Promise.reject(closeReason);
        const id = nextId++;
        const limit = requestOptions.timeoutMs ?? timeoutMs;
        return new Promise((resolveRequest, rejectRequest) => {
          const timer = setTimeout(() => {
            pending.delete(id);
            rejectRequest(
              new GuvError('GUV_RPC_TIMEOUT', `${method}: no reply from the daemon in ${limit} ms`),
            );
          }, limit);
          pending.set(id, {
            resolve: resolveRequest,
            reject: rejectRequest,
            timer,
          });
          socket.write(encodeRequest(id, method, params ?? null));
        });
      },
      async subscribe(pattern, listener) {
        compilePattern(pattern);
        const existing = listeners.get(pattern);
        if (existing !== undefined) {
          existing.add(listener);
          // A second listener on a pattern still being subscribed waits for the same answer.
          await confirmations.get(pattern);
          return;
        }
        const set = new Set([listener]);
        listeners.set(pattern, set);
        const confirmed = connection.request('subscribe', { pattern });
        confirmations.set(pattern, confirmed);
        try {
          await confirmed;
        } catch (error) {
          if (listeners.get(pattern) === set) listeners.delete(pattern);
          throw error;
        } finally {
          if (confirmations.get(pattern) === confirmed) confirmations.delete(pattern);
        }
      },
      async unsubscribe(pattern, listener) {
        const set = listeners.get(pattern);
        if (set === undefined) return;
        if (listener) set.delete(listener);
        else set.clear();
        if (set.size > 0) return;
        listeners.delete(pattern);
        if (!closeReason) await connection.request('unsubscribe', { pattern });
      },
      onDropped(listener) {
        droppedListeners.push(listener);
      },
      onClose(listener) {
        closeListeners.push(listener);
      },
      get closed() {
        return closeReason !== undefined;
      },
      close() {
        fail(new GuvError('GUV_CONNECTION_CLOSED', 'the connection was closed'));
      },
    };
  });
}

function gone(socketPath: string, cause?: Error): GuvError {
  return new GuvError('GUV_DAEMON_GONE', `the daemon at ${socketPath} went away`, { cause });
}

function connectError(socketPath: string, error: NodeJS.ErrnoException): GuvError {
  if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') {
    return new GuvError('GUV_DAEMON_NOT_RUNNING', `no daemon listens on ${socketPath}`, {
      cause: error,
    });
  }
  return new GuvError('GUV_DAEMON_UNREACHABLE', `cannot reach the daemon at ${socketPath}`, {
    cause: error,
  });
}

import { chmod, chown, unlink } from '../fs/async-fs.js';
import { type Server, type Socket, createServer } from 'node:net';
import { type GuvErrorCode, isGuvErrorCode } from '../error-codes.js';
import { GuvError } from '../errors.js';
import {
  type ErrorBody,
  MAX_FRAME_BYTES,
  type RequestFrame,
  type RequestId,
  asRequest,
  createLineSplitter,
  encodeFrame,
  parseFrame,
} from './frame.js';
import { ServerConnection } from './server-connection.js';
import { clearStaleSocket } from './stale-socket.js';
import { SubscriptionIndex } from './subscription-index.js';

/** What a handler learns about the call it serves. */
export interface RpcContext {
  connectionId: number;
  /** Aborted when the caller's connection closes. */
  signal: AbortSignal;
  /** Push an event to this caller only (same backpressure rules as published events). */
  sendEvent(type: string, args: unknown[]): void;
}

/**
 * Serves one method. `params` is whatever the client sent: validate it at this boundary.
 * Throw a `GuvError` for an expected failure (its code reaches the client); anything else
 * becomes `GUV_INTERNAL` and is logged.
 */
export type RpcHandler = (params: unknown, ctx: RpcContext) => unknown | Promise<unknown>;

/** pino-compatible. */
export interface RpcLogger {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface RpcServerOptions {
  socketPath: string;
  /** Socket file mode; default 0600, or 0660 when `group` is given. */
  mode?: number;
  /** Numeric gid allowed to connect besides the owner. */
  group?: number;
  handlers: Record<string, RpcHandler>;
  log?: RpcLogger;
  /** Largest request frame accepted, in bytes. */
  maxFrameBytes?: number;
  /** Events are dropped for a connection with this many bytes still unwritten. */
  eventHighWaterMark?: number;
  /** A connection with this many bytes unwritten (it reads nothing) is closed. */
  maxBufferedBytes?: number;
  /** Requests one connection may have awaiting a reply; more get `GUV_TOO_MANY_REQUESTS`. */
  maxInFlight?: number;
  /** Called after a connection subscribes, unsubscribes or closes (what `isWatched` answers may change). */
  onSubscriptionsChange?: () => void;
}

export interface RpcConnectionInfo {
  id: number;
  subscriptions: string[];
  bufferedBytes: number;
  droppedEvents: number;
}

/**
 * Decides whether one request on an adopted connection may run: throws a `GuvError` (its code
 * is the reply) to refuse it. Called before the method is even looked up.
 */
export type RequestGate = (request: RequestFrame) => void;

export interface RpcServer {
  listen(): Promise<void>;
  /**
   * Serve RPC on a socket opened elsewhere (the remote TLS server), with the same frame caps,
   * in-flight cap, backpressure and subscriptions as the local socket; every request passes
   * `gate` first.
   */
  adopt(socket: Socket, gate: RequestGate): void;
  /** Send an event to every connection subscribed to a matching pattern. */
  publish(type: string, args: unknown[]): void;
  /** Whether any connection would receive `type`: build costly events only when true. */
  isWatched(type: string): boolean;
  close(): Promise<void>;
  connections(): RpcConnectionInfo[];
}

/** Methods every server answers besides its handlers. */
export const BUILTIN_METHODS = ['ping', 'subscribe', 'unsubscribe'] as const;

/**
 * The daemon's local RPC endpoint: newline-delimited JSON over a unix socket (see frame.ts).
 *
 * A malformed line gets a `GUV_BAD_FRAME` reply and the connection stays open (line
 * boundaries are still known); an oversized one gets `GUV_FRAME_TOO_LARGE` and the connection
 * is closed. Nothing a client sends can throw into the event loop.
 *
 * @example
 * const server = createRpcServer({ socketPath: home.socket, handlers: { list: async () => [] } });
 * await server.listen();
 * if (server.isWatched('process:log:info')) server.publish('process:log:info', [info, record]);
 */
export function createRpcServer(options: RpcServerOptions): RpcServer {
  const {
    socketPath,
    group,
    handlers,
    log,
    maxFrameBytes = MAX_FRAME_BYTES,
    eventHighWaterMark = 1024 * 1024,
    maxBufferedBytes = 16 * 1024 * 1024,
    maxInFlight = 10_000,
  } = options;
  const mode = options.mode ?? (group === undefined ? 0o600 : 0o660);
  const limits = { eventHighWaterMark: Math.max(eventHighWaterMark, 64 * 1024), maxBufferedBytes };
  const subscriptions = new SubscriptionIndex<ServerConnection>();
  const open = new Set<ServerConnection>();
  let nextConnectionId = 1;
  let server: Server | undefined;

  const builtins: Record<(typeof BUILTIN_METHODS)[number], RpcHandler> = {
    ping: () => ({ pid: process.pid }),
    subscribe: (params, ctx) => {
      subscriptions.add(connectionOf(ctx), patternParam(params));
      options.onSubscriptionsChange?.();
      return null;
    },
    unsubscribe: (params, ctx) => {
      if (subscriptions.remove(connectionOf(ctx), patternParam(params))) {
        options.onSubscriptionsChange?.();
      }
      return null;
    },
  };
  const byId = new Map<number, ServerConnection>();
  const connectionOf = (ctx: RpcContext) => byId.get(ctx.connectionId)!;

  const gates = new Map<number, RequestGate>();

  function accept(socket: Socket, gate?: RequestGate): void {
    const connection = new ServerConnection(nextConnectionId++, socket, limits);
    if (gate !== undefined) gates.set(connection.id, gate);
    open.add(connection);
    byId.set(connection.id, connection);
    const splitter = createLineSplitter(
      (line) => onLine(connection, line),
      () => connection.endWith(errorFrame(null, 'GUV_FRAME_TOO_LARGE', tooLarge(maxFrameBytes))),
      maxFrameBytes,
    );
    socket.on('data', (chunk: Buffer) => {
      try {
        splitter.push(chunk);
      } catch (error) {
        log?.error({ err: error }, 'rpc: failed to read a frame');
        socket.destroy();
      }
    });
    socket.on('error', () => {});
    socket.once('close', () => {
      open.delete(connection);
      byId.delete(connection.id);
      gates.delete(connection.id);
      subscriptions.removeAll(connection);
      options.onSubscriptionsChange?.();
    });
  }

  function onLine(connection: ServerConnection, line: string): void {
    const value = parseFrame(line);
    const request = asRequest(value);
    if (request === undefined) {
      const id = requestIdOf(value);
      const why = value === undefined ? 'not JSON' : 'not a request {id, method, params}';
      connection.writeReply(errorFrame(id, 'GUV_BAD_FRAME', `bad frame: ${why}`));
      return;
    }
    if (connection.inFlight >= maxInFlight) {
      const message = `more than ${maxInFlight} requests awaiting a reply on this connection`;
      connection.writeReply(errorFrame(request.id, 'GUV_TOO_MANY_REQUESTS', message));
      return;
    }
    connection.inFlight++;
    dispatch(connection, request)
      .catch((error: unknown) => log?.error({ err: error }, 'rpc: failed to reply'))
      .finally(() => connection.inFlight--);
  }

  async function dispatch(connection: ServerConnection, request: RequestFrame): Promise<void> {
    const { id, method } = request;
    const ctx: RpcContext = {
      connectionId: connection.id,
      signal: connection.signal,
      sendEvent: (type, args) => {
        const text = encodeEvent(type, args);
        if (text !== undefined) connection.writeEvent(text);
      },
    };
    let reply: string;
    try {
      gates.get(connection.id)?.(request);
      const handler = Object.hasOwn(builtins, method)
        ? builtins[method as keyof typeof builtins]
        : Object.hasOwn(handlers, method)
          ? handlers[method]
          : undefined;
      if (handler === undefined) {
        throw new GuvError('GUV_UNKNOWN_METHOD', `unknown method ${JSON.stringify(method)}`);
      }
      const result = await handler(request.params, ctx);
      reply = encodeFrame({ id, result: result ?? null });
    } catch (error) {
      reply = encodeFrame({ id, error: errorBody(error, method) });
    }
    connection.writeReply(reply);
  }

  function errorBody(error: unknown, method: string): ErrorBody {
    const code = (error as { code?: unknown } | null)?.code;
    if (isGuvErrorCode(code)) {
      return { code, message: String((error as Error).message) };
    }
    log?.error({ err: error, method }, 'rpc: handler failed');
    return { code: 'GUV_INTERNAL', message: `internal error in ${method}` };
  }

  function encodeEvent(type: string, args: unknown[]): string | undefined {
    try {
      return encodeFrame({ event: type, args });
    } catch (error) {
      log?.error({ err: error, event: type }, 'rpc: event not serialisable');
      return undefined;
    }
  }

  return {
    async listen() {
      if (server) throw new GuvError('GUV_RPC_LISTENING', `already listening on ${socketPath}`);
      await clearStaleSocket(socketPath);
      const listening = createServer((socket) => accept(socket));
      listening.on('error', (error) => log?.error({ err: error }, 'rpc: server error'));
      await bind(listening, socketPath);
      server = listening;
      if (group !== undefined) await chown(socketPath, process.getuid?.() ?? -1, group);
      await chmod(socketPath, mode);
    },
    adopt(socket, gate) {
      if (server) accept(socket, gate);
      else socket.destroy();
    },
    publish(type, args) {
      const watchers = subscriptions.watchers(type);
      if (watchers.length === 0) return;
      const text = encodeEvent(type, args);
      if (text === undefined) return;
      for (const connection of watchers) connection.writeEvent(text);
    },
    isWatched: (type) => subscriptions.isWatched(type),
    async close() {
      const closing = server;
      server = undefined;
      if (!closing) return;
      const closed = new Promise<void>((resolve) => closing.close(() => resolve()));
      for (const connection of open) connection.socket.destroy();
      await closed;
      await unlink(socketPath).catch(() => {});
    },
    connections: () =>
      [...open].map((connection) => ({
        id: connection.id,
        subscriptions: subscriptions.patternsOf(connection),
        bufferedBytes: connection.bufferedBytes,
        droppedEvents: connection.droppedEvents,
      })),
  };
}

/**
 * Listen with a umask that keeps the socket private from the moment it exists; the chmod
 * after it sets the final mode. bind() runs synchronously inside listen(), so the process-wide
 * umask is changed only for that instant.
 */
function bind(server: Server, socketPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    const previous = setUmask(0o177);
    try {
      server.listen(socketPath, () => {
        server.off('error', onError);
        resolve();
      });
    } finally {
      if (previous !== undefined) setUmask(previous);
    }
  });
}

/** process.umask() throws in worker threads; there the folder's 0700 and the chmod remain. */
function setUmask(mask: number): number | undefined {
  try {
    return process.umask(mask);
  } catch {
    return undefined;
  }
}

function patternParam(params: unknown): string {
  const pattern = (params as { pattern?: unknown } | null)?.pattern;
  if (typeof pattern !== 'string') {
    throw new GuvError('GUV_BAD_PATTERN', 'expected params {pattern: string}');
  }
  return pattern;
}

function requestIdOf(value: unknown): RequestId | null {
  const id = (value as { id?: unknown } | null)?.id;
  return typeof id === 'number' || typeof id === 'string' ? id : null;
}

function errorFrame(id: RequestId | null, code: GuvErrorCode, message: string): string {
  return encodeFrame({ id, error: { code, message } });
}

function tooLarge(max: number): string {
  return `frame larger than ${max} bytes; closing the connection`;
}

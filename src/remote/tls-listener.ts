import type { Socket } from 'node:net';
import { type TLSSocket, createServer } from 'node:tls';
import type { RequestFrame } from '../rpc/frame.js';
import type { RpcServer } from '../rpc/server.js';
import type { TlsIdentity } from './certificate.js';

export interface TlsListenerOptions {
  host: string;
  port: number;
  identity: TlsIdentity;
  /** The local RPC server: its caps, backpressure and subscriptions serve TLS sockets too. */
  rpc: Pick<RpcServer, 'adopt'>;
  /** The user a request runs as; throws a `GuvError` to refuse it. */
  authorize(request: RequestFrame): { name: string };
  maxConnections: number;
  /** A connection that has not sent one authenticated request by then is closed. */
  unauthenticatedMs?: number;
  /** A connection is closed after this many refused requests. */
  maxFailures?: number;
  handshakeTimeoutMs?: number;
}

export interface TlsListener {
  readonly port: number;
  readonly url: string;
  /** Closes every connection that `user` signed a request on (removed, or given a new secret). */
  disconnectUser(user: string): void;
  close(): Promise<void>;
}

/**
 * The remote RPC endpoint: TLS 1.2 or later, at most `maxConnections` sockets, each handed to
 * the RPC server with a gate that authenticates every request.
 */
export function listenTls(options: TlsListenerOptions): Promise<TlsListener> {
  const { unauthenticatedMs = 10_000, maxFailures = 5, handshakeTimeoutMs = 10_000 } = options;
  const sockets = new Set<Socket>();
  // Its subscriptions would otherwise go on streaming events to a user who lost access.
  const usersOf = new Map<Socket, Set<string>>();
  const server = createServer({
    key: options.identity.key,
    cert: options.identity.cert,
    minVersion: 'TLSv1.2',
    handshakeTimeout: handshakeTimeoutMs,
  });
  server.maxConnections = options.maxConnections;
  // A failed handshake (an old TLS version, a port scanner) is the client's problem, not ours.
  server.on('tlsClientError', (_error, socket) => socket.destroy());
  server.on('secureConnection', (socket: TLSSocket) => {
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      usersOf.delete(socket);
    });
    let failures = 0;
    let authenticated = false;
    const timer = setTimeout(() => {
      if (!authenticated) socket.destroy();
    }, unauthenticatedMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    options.rpc.adopt(socket, (request) => {
      let user: string;
      try {
        user = options.authorize(request).name;
      } catch (error) {
        if (++failures >= maxFailures) {
          // After this reply is written: the refusal itself still reaches the client.
          setImmediate(() => socket.end());
          setTimeout(() => socket.destroy(), 1000).unref();
        }
        throw error;
      }
      authenticated = true;
      clearTimeout(timer);
      const users = usersOf.get(socket) ?? new Set<string>();
      users.add(user);
      usersOf.set(socket, users);
    });
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      server.on('error', () => {});
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : options.port;
      const host = options.host.includes(':') ? `[${options.host}]` : options.host;
      resolve({
        port,
        url: `tls://${host}:${port}`,
        disconnectUser(user) {
          for (const [socket, users] of usersOf) if (users.has(user)) socket.destroy();
        },
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const socket of sockets) socket.destroy();
          }),
      });
    });
  });
}

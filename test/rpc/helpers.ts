import { mkdtempSync, rmSync } from 'node:fs';
import { type Socket, createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temp folder (short, so socket paths fit) and its removal. */
export function tempDir(prefix = 'guv-rpc-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A bare socket that records every byte the server sends, for assertions on the wire. */
export interface RawClient {
  socket: Socket;
  /** Everything received so far, as text. */
  readonly received: string;
  send(text: string): void;
  /** Resolves once at least `n` complete lines arrived; returns them parsed. */
  lines(n: number, timeoutMs?: number): Promise<unknown[]>;
  /** Resolves when the server closed the connection. */
  closed: Promise<void>;
}

export async function rawClient(socketPath: string): Promise<RawClient> {
  const socket = createConnection(socketPath);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let received = '';
  const waiters: (() => void)[] = [];
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('utf8');
    for (const wake of waiters.splice(0)) wake();
  });
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const complete = () => received.split('\n').slice(0, -1);
  return {
    socket,
    get received() {
      return received;
    },
    send: (text) => socket.write(text),
    closed,
    async lines(n, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (complete().length < n) {
        if (Date.now() > deadline) throw new Error(`only ${complete().length} of ${n} lines`);
        await Promise.race([
          new Promise<void>((resolve) => waiters.push(resolve)),
          new Promise((resolve) => setTimeout(resolve, 50)),
          closed,
        ]);
        if (socket.destroyed && complete().length < n) break;
      }
      return complete().map((line) => JSON.parse(line));
    },
  };
}

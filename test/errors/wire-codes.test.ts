import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Connection, openConnection } from '../../src/client/connection.js';
import { createRpcServer, type RpcServer } from '../../src/rpc/server.js';
import { tempDir } from '../rpc/helpers.js';

let temp: ReturnType<typeof tempDir>;
let socketPath: string;
let fake: Server | undefined;
let rpc: RpcServer | undefined;
let connection: Connection | undefined;

beforeEach(() => {
  temp = tempDir('guv-codes-');
  socketPath = join(temp.dir, 'guv.sock');
});
afterEach(async () => {
  connection?.close();
  connection = undefined;
  await rpc?.close();
  rpc = undefined;
  await new Promise<void>((resolve) => (fake ? fake.close(() => resolve()) : resolve()));
  fake = undefined;
  temp.remove();
});

/** A daemon stand-in that answers request `method` with the error body `errors[method]`. */
async function daemonAnswering(errors: Record<string, unknown>): Promise<void> {
  fake = createServer((socket) => {
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      for (let end = buffered.indexOf('\n'); end !== -1; end = buffered.indexOf('\n')) {
        const request = JSON.parse(buffered.slice(0, end)) as { id: number; method: string };
        buffered = buffered.slice(end + 1);
        socket.write(`${JSON.stringify({ id: request.id, error: errors[request.method] })}\n`);
      }
    });
  });
  await new Promise<void>((resolve) => fake!.listen(socketPath, resolve));
}

describe('codes arriving over the socket are narrowed to registered ones', () => {
  it('the client keeps a registered code and turns any other into GUV_INTERNAL', async () => {
    await daemonAnswering({
      known: { code: 'GUV_PROCESS_NOT_FOUND', message: 'no process "x"' },
      future: { code: 'GUV_FROM_A_NEWER_DAEMON', message: 'something new' },
      inherited: { code: 'toString', message: 'prototype key' },
      numeric: { code: 42, message: 'not a string' },
      missing: { message: 'no code' },
    });
    connection = await openConnection(socketPath, { timeoutMs: 5000 });
    await expect(connection.requestUnchecked('known')).rejects.toMatchObject({
      name: 'GuvError',
      code: 'GUV_PROCESS_NOT_FOUND',
      message: 'no process "x"',
    });
    for (const method of ['future', 'inherited', 'numeric', 'missing']) {
      await expect(connection.requestUnchecked(method), method).rejects.toMatchObject({
        name: 'GuvError',
        code: 'GUV_INTERNAL',
      });
    }
    await expect(connection.requestUnchecked('future')).rejects.toThrow('something new');
  });

  it('the server sends only registered codes: an error with another GUV_ code is internal', async () => {
    rpc = createRpcServer({
      socketPath,
      handlers: {
        forged: async () => {
          throw Object.assign(new Error('from an app'), { code: 'GUV_MADE_UP' });
        },
      },
    });
    await rpc.listen();
    connection = await openConnection(socketPath, { timeoutMs: 5000 });
    await expect(connection.requestUnchecked('forged')).rejects.toMatchObject({
      code: 'GUV_INTERNAL',
      message: 'internal error in forged',
    });
  });
});

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Connection, openConnection } from '../../src/client/connection.js';
import { GuvError } from '../../src/errors.js';
import { type RpcServer, createRpcServer } from '../../src/rpc/server.js';
import { tempDir } from './helpers.js';

let temp: ReturnType<typeof tempDir>;
let socketPath: string;
let server: RpcServer | undefined;
const connections: Connection[] = [];

beforeEach(() => {
  temp = tempDir();
  socketPath = join(temp.dir, 'guv.sock');
});
afterEach(async () => {
  for (const connection of connections.splice(0)) connection.close();
  await server?.close();
  server = undefined;
  temp.remove();
});

async function serve(): Promise<RpcServer> {
  server = createRpcServer({
    socketPath,
    handlers: {
      add: async (params) => (params as number[]).reduce((a, b) => a + b, 0),
      refuse: async () => {
        throw new GuvError('GUV_PROCESS_NOT_FOUND', 'no such process');
      },
      never: () => new Promise(() => {}),
      big: async () => 'z'.repeat(2 * 1024 * 1024),
    },
  });
  await server.listen();
  return server;
}

async function open(timeoutMs = 2000): Promise<Connection> {
  const connection = await openConnection(socketPath, { timeoutMs });
  connections.push(connection);
  return connection;
}

describe('openConnection', () => {
  it('sends requests and resolves their results, big ones included', async () => {
    await serve();
    const connection = await open();
    expect(await connection.requestUnchecked('add', [1, 2, 3])).toBe(6);
    expect(await connection.request('ping')).toEqual({ pid: process.pid });
    expect(((await connection.requestUnchecked('big')) as string).length).toBe(2 * 1024 * 1024);
  });

  it('matches a thousand concurrent replies to their requests', async () => {
    await serve();
    const connection = await open();
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => connection.requestUnchecked('add', [i, 1])),
    );
    expect(results).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
  });

  it('rejects with the daemon code of an error reply', async () => {
    await serve();
    const connection = await open();
    const error = await connection.requestUnchecked('refuse').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GuvError);
    expect(error).toMatchObject({ code: 'GUV_PROCESS_NOT_FOUND', message: 'no such process' });
    await expect(connection.requestUnchecked('nope')).rejects.toMatchObject({
      code: 'GUV_UNKNOWN_METHOD',
    });
  });

  it('times out a request with GUV_RPC_TIMEOUT and keeps working', async () => {
    await serve();
    const connection = await open();
    await expect(
      connection.requestUnchecked('never', null, { timeoutMs: 50 }),
    ).rejects.toMatchObject({
      code: 'GUV_RPC_TIMEOUT',
    });
    expect(await connection.requestUnchecked('add', [2, 2])).toBe(4);
  });

  it('rejects pending requests with GUV_DAEMON_GONE when the daemon goes away', async () => {
    await serve();
    const connection = await open();
    const closed = new Promise((resolve) => connection.onClose(resolve));
    const pending = connection
      .requestUnchecked('never', null, { timeoutMs: 10_000 })
      .catch((e) => e);
    await server!.close();
    expect(await pending).toMatchObject({ code: 'GUV_DAEMON_GONE' });
    expect(await closed).toMatchObject({ code: 'GUV_DAEMON_GONE' });
    expect(connection.closed).toBe(true);
    await expect(connection.requestUnchecked('add', [1])).rejects.toMatchObject({
      code: 'GUV_DAEMON_GONE',
    });
  });

  it('reports GUV_DAEMON_NOT_RUNNING when nothing listens', async () => {
    await expect(openConnection(socketPath)).rejects.toMatchObject({
      code: 'GUV_DAEMON_NOT_RUNNING',
    });
  });

  it('delivers events to the listeners whose pattern matches', async () => {
    const rpc = await serve();
    const listenerErrors: unknown[] = [];
    const connection = await openConnection(socketPath, {
      onListenerError: (error) => listenerErrors.push(error),
    });
    connections.push(connection);
    const seen: string[] = [];
    await connection.subscribe('process:*', () => {
      throw new Error('a throwing listener does not silence the others');
    });
    await connection.subscribe('process:*', (type) => seen.push(`a ${type}`));
    await connection.subscribe('*:log:error', (type, args) => seen.push(`b ${type} ${args[0]}`));
    rpc.publish('process:exit', []);
    rpc.publish('worker:log:error', ['w']);
    rpc.publish('daemon:ready', []);
    await connection.request('ping');
    expect(seen).toEqual(['a process:exit', 'b worker:log:error w']);
    expect(listenerErrors).toHaveLength(1);
    await connection.unsubscribe('process:*');
    expect(rpc.isWatched('process:exit')).toBe(false);
    expect(rpc.isWatched('worker:log:error')).toBe(true);
    await expect(connection.subscribe('bad*pattern', () => {})).rejects.toMatchObject({
      code: 'GUV_BAD_PATTERN',
    });
  });

  it('lets the program exit after close()', async () => {
    await serve();
    const script = `
      import { openConnection } from ${JSON.stringify(join(import.meta.dirname, '../../src/client/connection.ts'))};
      const c = await openConnection(${JSON.stringify(socketPath)});
      await c.request('ping');
      c.close();
      console.log('closed');
    `;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
      child.once('exit', (c, s) => resolve([c, s])),
    );
    clearTimeout(timer);
    expect({ code, signal, out: out.trim() }).toEqual({ code: 0, signal: null, out: 'closed' });
  });
});

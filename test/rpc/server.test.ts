import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GuvError } from '../../src/errors.js';
import { type RpcServer, type RpcServerOptions, createRpcServer } from '../../src/rpc/server.js';
import { type RawClient, rawClient, tempDir } from './helpers.js';

let temp: ReturnType<typeof tempDir>;
let socketPath: string;
const servers: RpcServer[] = [];
const clients: RawClient[] = [];

beforeEach(() => {
  temp = tempDir();
  socketPath = join(temp.dir, 'guv.sock');
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.destroy();
  for (const server of servers.splice(0)) await server.close();
  temp.remove();
});

const handlers: RpcServerOptions['handlers'] = {
  echo: async (params) => params,
  nothing: async () => undefined,
  refuse: async () => {
    throw new GuvError('GUV_PROCESS_NOT_FOUND', 'no process called "web"');
  },
  crash: async () => {
    throw new TypeError('oops: secret detail');
  },
  crashSync: () => {
    throw new Error('sync');
  },
  circular: async () => {
    const value: Record<string, unknown> = {};
    value.self = value;
    return value;
  },
};

async function start(options: Partial<RpcServerOptions> = {}): Promise<RpcServer> {
  const server = createRpcServer({ socketPath, handlers, ...options });
  servers.push(server);
  await server.listen();
  return server;
}

async function connect(): Promise<RawClient> {
  const client = await rawClient(socketPath);
  clients.push(client);
  return client;
}

describe('rpc server', () => {
  it('answers a request with its id, and ping with the pid', async () => {
    await start();
    const client = await connect();
    client.send('{"id":1,"method":"echo","params":{"a":[1,"x"]}}\n');
    client.send('{"id":"two","method":"ping"}\n{"id":3,"method":"nothing"}\n');
    const replies = await client.lines(3);
    expect(replies).toContainEqual({ id: 1, result: { a: [1, 'x'] } });
    expect(replies).toContainEqual({ id: 'two', result: { pid: process.pid } });
    expect(replies).toContainEqual({ id: 3, result: null });
  });

  it('handles a request split across writes and several requests in one write', async () => {
    await start();
    const client = await connect();
    client.send('{"id":1,"meth');
    await new Promise((resolve) => setTimeout(resolve, 20));
    client.send('od":"echo","params":"é"}\n{"id":2,"method":"echo","params":2}\n');
    expect(await client.lines(2)).toEqual([
      { id: 1, result: 'é' },
      { id: 2, result: 2 },
    ]);
  });

  it('replies with the code of a GuvError, and GUV_INTERNAL for anything else', async () => {
    const logged: unknown[] = [];
    await start({ log: { warn: () => {}, error: (details) => logged.push(details) } });
    const client = await connect();
    client.send(
      '{"id":1,"method":"refuse"}\n{"id":2,"method":"crash"}\n{"id":3,"method":"crashSync"}\n' +
        '{"id":4,"method":"circular"}\n{"id":5,"method":"echo","params":"still up"}\n',
    );
    const replies = await client.lines(5);
    expect(replies).toContainEqual({
      id: 1,
      error: { code: 'GUV_PROCESS_NOT_FOUND', message: 'no process called "web"' },
    });
    for (const id of [2, 3, 4]) {
      expect(replies).toContainEqual({
        id,
        error: { code: 'GUV_INTERNAL', message: expect.stringContaining('internal error in') },
      });
    }
    expect(client.received).not.toContain('secret detail');
    expect(replies).toContainEqual({ id: 5, result: 'still up' });
    expect(logged).toHaveLength(3);
  });

  it('answers an unknown method, including names from Object.prototype', async () => {
    await start();
    const client = await connect();
    client.send('{"id":1,"method":"nope"}\n{"id":2,"method":"constructor"}\n');
    const replies = (await client.lines(2)) as { error: { code: string } }[];
    expect(replies.map((reply) => reply.error.code)).toEqual([
      'GUV_UNKNOWN_METHOD',
      'GUV_UNKNOWN_METHOD',
    ]);
  });

  it('answers a malformed frame with GUV_BAD_FRAME and keeps the connection', async () => {
    await start();
    const client = await connect();
    client.send('this is not json\n{"id":7}\n[1,2]\n{"id":8,"method":"echo","params":1}\n');
    const replies = (await client.lines(4)) as { id: unknown; error?: { code: string } }[];
    expect(replies[0]).toMatchObject({ id: null, error: { code: 'GUV_BAD_FRAME' } });
    expect(replies[1]).toMatchObject({ id: 7, error: { code: 'GUV_BAD_FRAME' } });
    expect(replies[2]).toMatchObject({ id: null, error: { code: 'GUV_BAD_FRAME' } });
    expect(replies[3]).toEqual({ id: 8, result: 1 });
  });

  it('answers an oversized frame with GUV_FRAME_TOO_LARGE, then closes', async () => {
    const server = await start({ maxFrameBytes: 1024 });
    const client = await connect();
    client.send(`{"id":1,"method":"echo","params":"${'x'.repeat(4096)}`);
    const [reply] = await client.lines(1);
    expect(reply).toMatchObject({ id: null, error: { code: 'GUV_FRAME_TOO_LARGE' } });
    await client.closed;
    await waitFor(() => server.connections().length === 0);
  });

  it('serves a thousand concurrent requests on one connection', async () => {
    await start({
      handlers: {
        slowEcho: (params) => new Promise((resolve) => setTimeout(() => resolve(params), 1)),
      },
    });
    const client = await connect();
    let batch = '';
    for (let i = 0; i < 1000; i++) batch += `{"id":${i},"method":"slowEcho","params":${i}}\n`;
    client.send(batch);
    const replies = (await client.lines(1000)) as { id: number; result: number }[];
    expect(replies).toHaveLength(1000);
    expect(replies.every((reply) => reply.id === reply.result)).toBe(true);
    expect(new Set(replies.map((reply) => reply.id)).size).toBe(1000);
  });

  it('refuses requests beyond the in-flight limit of a connection', async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    await start({ maxInFlight: 2, handlers: { wait: () => gate.then(() => 'done') } });
    const client = await connect();
    client.send('{"id":1,"method":"wait"}\n{"id":2,"method":"wait"}\n{"id":3,"method":"wait"}\n');
    expect(await client.lines(1)).toMatchObject([
      { id: 3, error: { code: 'GUV_TOO_MANY_REQUESTS' } },
    ]);
    release();
    const replies = await client.lines(3);
    expect(replies.slice(1)).toEqual([
      { id: 1, result: 'done' },
      { id: 2, result: 'done' },
    ]);
    client.send('{"id":4,"method":"wait"}\n');
    expect((await client.lines(4))[3]).toEqual({ id: 4, result: 'done' });
  });

  it('sends a connection only the events matching its subscriptions', async () => {
    const server = await start();
    const a = await connect();
    const b = await connect();
    a.send('{"id":1,"method":"subscribe","params":{"pattern":"process:*"}}\n');
    b.send('{"id":1,"method":"subscribe","params":{"pattern":"*:log:error"}}\n');
    await a.lines(1);
    await b.lines(1);
    server.publish('process:exit', [{ name: 'web' }, null, 1, null]);
    server.publish('worker:log:error', ['w']);
    server.publish('daemon:ready', []);
    server.publish('process:log:error', ['p']);
    await a.lines(3);
    await b.lines(3);
    const eventsOf = (client: RawClient) =>
      client.received
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line))
        .filter((frame) => 'event' in frame)
        .map((frame) => frame.event);
    expect(eventsOf(a)).toEqual(['process:exit', 'process:log:error']);
    expect(eventsOf(b)).toEqual(['worker:log:error', 'process:log:error']);
    expect(a.received).toContain('{"event":"process:exit","args":[{"name":"web"},null,1,null]}\n');
    expect(a.received).not.toContain('daemon:ready');
    expect(b.received).not.toContain('daemon:ready');
  });

  it('stops sending after unsubscribe, and refuses an invalid pattern', async () => {
    const server = await start();
    const client = await connect();
    client.send(
      '{"id":1,"method":"subscribe","params":{"pattern":"process:*"}}\n' +
        '{"id":2,"method":"subscribe","params":{"pattern":"pro*cess"}}\n' +
        '{"id":3,"method":"subscribe","params":{}}\n',
    );
    const replies = (await client.lines(3)) as { id: number; error?: { code: string } }[];
    replies.sort((x, y) => x.id - y.id);
    expect(replies[0]).toEqual({ id: 1, result: null });
    expect(replies[1]?.error?.code).toBe('GUV_BAD_PATTERN');
    expect(replies[2]?.error?.code).toBe('GUV_BAD_PATTERN');
    expect(server.connections()[0]?.subscriptions).toEqual(['process:*']);
    client.send('{"id":4,"method":"unsubscribe","params":{"pattern":"process:*"}}\n');
    await client.lines(4);
    server.publish('process:exit', []);
    client.send('{"id":5,"method":"ping"}\n');
    await client.lines(5);
    expect(client.received).not.toContain('"event"');
  });

  it('tells whether anybody watches an event name, and forgets closed connections', async () => {
    const server = await start();
    expect(server.isWatched('process:log:info')).toBe(false);
    const client = await connect();
    client.send('{"id":1,"method":"subscribe","params":{"pattern":"*:log:*"}}\n');
    await client.lines(1);
    expect(server.isWatched('process:log:info')).toBe(true);
    expect(server.isWatched('process:exit')).toBe(false);
    client.send('{"id":2,"method":"subscribe","params":{"pattern":"process:exit"}}\n');
    await client.lines(2);
    expect(server.isWatched('process:exit')).toBe(true);
    client.socket.destroy();
    await client.closed;
    await waitFor(() => server.connections().length === 0);
    expect(server.isWatched('process:log:info')).toBe(false);
    expect(server.isWatched('process:exit')).toBe(false);
  });

  it('bounds what it buffers for a consumer that does not read, and tells it what it missed', async () => {
    const server = await start({ eventHighWaterMark: 64 * 1024 });
    const client = await connect();
    client.send('{"id":1,"method":"subscribe","params":{"pattern":"*"}}\n');
    await client.lines(1);
    client.socket.pause();
    const payload = 'x'.repeat(1024);
    const published = 20_000;
    let maxBuffered = 0;
    for (let i = 0; i < published; i++) {
      server.publish('process:log:info', [i, payload]);
      if (i % 100 === 0) {
        maxBuffered = Math.max(maxBuffered, server.connections()[0]!.bufferedBytes);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    const dropped = server.connections()[0]!.droppedEvents;
    expect(dropped).toBeGreaterThan(0);
    expect(maxBuffered).toBeLessThan(64 * 1024 + 2 * 1100);
    client.socket.resume();
    await waitFor(() => client.received.includes('rpc:dropped'));
    const frames = client.received
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const notices = frames.filter((frame) => frame.event === 'rpc:dropped');
    const delivered = frames.filter((frame) => frame.event === 'process:log:info').length;
    expect(notices.reduce((sum, frame) => sum + frame.args[0], 0)).toBe(dropped);
    expect(delivered + dropped).toBe(published);
  });

  it('disconnects a client that lets its replies pile up', async () => {
    const server = await start({
      maxBufferedBytes: 256 * 1024,
      handlers: { big: async () => 'y'.repeat(64 * 1024) },
    });
    const client = await connect();
    client.socket.pause();
    let batch = '';
    for (let i = 0; i < 200; i++) batch += `{"id":${i},"method":"big"}\n`;
    client.send(batch);
    await waitFor(() => server.connections().length === 0);
  });

  it('creates the socket with mode 0600', async () => {
    await start();
    expect(statSync(socketPath).mode & 0o777).toBe(0o600);
    expect(statSync(socketPath).isSocket()).toBe(true);
  });

  it('uses mode 0660 and the group when a group is configured', async () => {
    await start({ group: process.getgid!() });
    expect(statSync(socketPath).mode & 0o777).toBe(0o660);
    expect(statSync(socketPath).gid).toBe(process.getgid!());
  });

  it('removes a stale socket file, but refuses a socket somebody answers on', async () => {
    const live = createServer();
    await new Promise<void>((resolve) => live.listen(socketPath, resolve));
    const first = createRpcServer({ socketPath, handlers });
    await expect(first.listen()).rejects.toMatchObject({ code: 'GUV_DAEMON_RUNNING' });
    await new Promise((resolve) => live.close(resolve));
    // A server killed without cleaning up leaves its socket file behind.
    const killed = spawnSync(process.execPath, [
      '-e',
      `require('net').createServer().listen(${JSON.stringify(socketPath)}, () => process.kill(process.pid, 'SIGKILL'))`,
    ]);
    expect(killed.signal).toBe('SIGKILL');
    expect(statSync(socketPath).isSocket()).toBe(true);
    await start();
    const client = await connect();
    client.send('{"id":1,"method":"ping"}\n');
    expect(await client.lines(1)).toEqual([{ id: 1, result: { pid: process.pid } }]);
  });

  it('refuses to replace a file that is not a socket', async () => {
    writeFileSync(socketPath, 'precious');
    const server = createRpcServer({ socketPath, handlers });
    await expect(server.listen()).rejects.toMatchObject({ code: 'GUV_SOCKET_IN_USE' });
  });

  it('removes its socket on close and drops its connections', async () => {
    const server = await start();
    const client = await connect();
    await server.close();
    await client.closed;
    expect(() => statSync(socketPath)).toThrow();
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

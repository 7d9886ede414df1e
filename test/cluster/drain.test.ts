import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { ensurePreloadBuilt } from '../actors/wrapper/build-preload.js';
import { fixture } from '../helpers/daemon-harness.js';

const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

/** The fixture under guv's wrapper, as the supervisor runs it; resolves with its port. */
async function startServer(
  script = 'slow-http.js',
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--require', ensurePreloadBuilt(), fixture(script)], {
    env: { PATH: process.env.PATH ?? '', GUV_CHILD_ID: 'drain', GUV_HEARTBEAT_MS: '0' },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  children.push(child);
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  return { child, port: Number(chunk.toString().trim()) };
}

function request(port: number, path: string, agent: http.Agent) {
  return new Promise<{ status: number; connection: string | undefined; body: string }>(
    (resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path, agent }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (body += d));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }),
          );
        })
        .on('error', reject);
    },
  );
}

function shutdown(child: ChildProcess): void {
  child.send({ cmd: 'NODE_GUV', type: 'shutdown', timeoutMs: 5000 });
}

describe("the wrapper's graceful shutdown drains node:http servers", () => {
  it('lets an in-flight request finish with Connection: close, then exits 0', async () => {
    const { child, port } = await startServer();
    const agent = new http.Agent({ keepAlive: true });
    const warm = await request(port, '/', agent);
    expect(warm.connection).toBe('keep-alive');
    const slow = request(port, '/slow', agent);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const exited = once(child, 'exit');
    shutdown(child);
    expect(await slow).toEqual({ status: 200, connection: 'close', body: 'slow\n' });
    expect(await exited).toEqual([0, null]);
    agent.destroy();
  });

  it('answers the next request on a kept-alive connection with Connection: close', async () => {
    const { child, port } = await startServer();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    expect((await request(port, '/', agent)).connection).toBe('keep-alive');
    const exited = once(child, 'exit');
    shutdown(child);
    // The idle connection is not reset at once: a request sent soon after is still answered.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const next = await request(port, '/', agent);
    expect(next).toEqual({ status: 200, connection: 'close', body: 'fast\n' });
    expect(await exited).toEqual([0, null]);
    agent.destroy();
  });

  it('closes a connection left idle after the grace period and exits', async () => {
    const { child, port } = await startServer();
    const agent = new http.Agent({ keepAlive: true });
    await request(port, '/', agent);
    const started = Date.now();
    const exited = once(child, 'exit');
    shutdown(child);
    expect(await exited).toEqual([0, null]);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(4000);
    agent.destroy();
  });
});

describe("the wrapper's graceful shutdown of an app with its own SIGTERM handler", () => {
  it("runs guv's drain and the app's handler, then the process exits 0", async () => {
    const { child, port } = await startServer('slow-http-sigterm.js');
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
    expect((await request(port, '/', agent)).connection).toBe('keep-alive');
    const slow = request(port, '/slow', agent);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const exited = once(child, 'exit');
    shutdown(child);
    // guv's drain: the request in flight is answered, with `Connection: close`.
    expect(await slow).toEqual({ status: 200, connection: 'close', body: 'slow\n' });
    expect(await exited).toEqual([0, null]);
    // The app's handler: its own close callback ran.
    expect(out).toContain('closed\n');
    agent.destroy();
  });

  it("keeps an idle kept-alive connection usable: the app's close() joins guv's drain", async () => {
    const { child, port } = await startServer('slow-http-sigterm.js');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    expect((await request(port, '/', agent)).connection).toBe('keep-alive');
    const exited = once(child, 'exit');
    shutdown(child);
    // Node's http close() would reset the idle connection at once; a request sent soon after
    // on it must still be answered.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const next = await request(port, '/', agent);
    expect(next).toEqual({ status: 200, connection: 'close', body: 'fast\n' });
    expect(await exited).toEqual([0, null]);
    agent.destroy();
  });
});

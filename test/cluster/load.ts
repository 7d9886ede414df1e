import http from 'node:http';
import net from 'node:net';

/** A free TCP port on 127.0.0.1 (bound, read, released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface LoadResult {
  ok: number;
  failed: number;
  errors: string[];
  /** Every pid that answered (the fixture answers with its pid). */
  pids: Set<number>;
}

/** One GET through `agent`; resolves with the pid in the body, or rejects. */
export function get(port: number, agent?: http.Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/', agent }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () =>
        response.statusCode === 200
          ? resolve(Number(body.trim()))
          : reject(new Error(`status ${response.statusCode}`)),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
    request.setTimeout(5000, () => request.destroy(new Error('request timed out')));
  });
}

/**
 * A bounded load loop: `concurrency` loops of keep-alive GETs on 127.0.0.1 until `stop()` is
 * called, `maxRequests` were sent or `maxMs` passed, whichever comes first.
 */
export function startLoad(
  port: number,
  { concurrency = 4, maxRequests = 50_000, maxMs = 60_000 } = {},
) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const result: LoadResult = { ok: 0, failed: 0, errors: [], pids: new Set() };
  let stopped = false;
  let sent = 0;
  const deadline = Date.now() + maxMs;
  async function loop(): Promise<void> {
    while (!stopped && sent < maxRequests && Date.now() < deadline) {
      sent += 1;
      try {
        result.pids.add(await get(port, agent));
        result.ok += 1;
      } catch (error) {
        result.failed += 1;
        if (result.errors.length < 20) result.errors.push((error as Error).message);
      }
    }
  }
  const loops = Promise.all(Array.from({ length: concurrency }, loop));
  return {
    result,
    async stop(): Promise<LoadResult> {
      stopped = true;
      await loops;
      agent.destroy();
      return result;
    },
  };
}

import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GuvClient } from '../../src/client/api.js';
import { resolveHome } from '../../src/protocol/home.js';
import {
  alive,
  cleanupHome,
  daemonMain,
  daemonPid,
  makeHome,
  startDaemon,
  type TestHome,
} from '../helpers/daemon-harness.js';

let home: TestHome;
let client: GuvClient;
let socket: string;

beforeAll(async () => {
  home = makeHome();
  client = await startDaemon(home);
  socket = resolveHome(home.env).socket;
}, 60_000);

afterAll(async () => {
  await cleanupHome(home);
}, 60_000);

/** Writes `data` on a fresh socket connection; resolves with what came back and whether it closed. */
function exchange(
  data: string | Buffer,
  waitMs = 5000,
): Promise<{ reply: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const conn = netConnect(socket);
    let reply = '';
    const done = (closed: boolean) => {
      clearTimeout(timer);
      conn.destroy();
      resolve({ reply, closed });
    };
    const timer = setTimeout(() => done(false), waitMs);
    conn.setEncoding('utf8');
    conn.on('data', (chunk: string) => {
      reply += chunk;
      if (reply.includes('\n')) done(false);
    });
    conn.on('close', () => done(true));
    conn.on('error', (error: NodeJS.ErrnoException) => {
      // The daemon may close on us while we are still writing a huge line.
      if (error.code === 'EPIPE' || error.code === 'ECONNRESET') done(true);
      else reject(error);
    });
    conn.write(data);
  });
}

describe('daemon robustness', () => {
  it('a second daemon on the same home refuses with exit code 75', async () => {
    const first = daemonPid(home);
    const second = spawn(process.execPath, [daemonMain], { env: home.env, stdio: 'ignore' });
    const code = await new Promise<number | null>((resolve) => second.on('exit', resolve));
    expect(code).toBe(75);
    expect(daemonPid(home)).toBe(first);
    expect(alive(first)).toBe(true);
    expect(await client.listProcesses()).toEqual([]);
  });

  it('answers garbage with an error or a closed connection and keeps serving', async () => {
    const garbage = await exchange('this is not json\n');
    expect(garbage.closed || /error/i.test(garbage.reply)).toBe(true);
    const wrongShape = await exchange('{"id":1,"method":42}\n');
    expect(wrongShape.closed || /error/i.test(wrongShape.reply)).toBe(true);
    const unknown = await exchange('{"id":7,"method":"no-such-method"}\n');
    expect(unknown.closed || /error/i.test(unknown.reply)).toBe(true);
    expect(await client.listProcesses()).toEqual([]);
  });

  it('refuses an oversized line and keeps serving', async () => {
    const huge = await exchange(Buffer.alloc(3 * 1024 * 1024, 'x'));
    expect(huge.closed || /error/i.test(huge.reply)).toBe(true);
    if (!huge.closed) expect(huge.reply).toMatch(/GUV_FRAME_TOO_LARGE/);
    expect(await client.listProcesses()).toEqual([]);
    const status = await client.status();
    expect(status.pid).toBe(daemonPid(home));
  });

  it('keeps its socket private (mode 0600)', () => {
    const stat = statSync(socket);
    expect(stat.isSocket()).toBe(true);
    expect(stat.mode & 0o777).toBe(0o600);
  });
});

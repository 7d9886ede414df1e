import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GuvClient, StartOptions } from '../../src/client/api.js';
import {
  cleanupHome,
  daemonPid,
  eventually,
  makeHome,
  startDaemon,
  type TestHome,
} from '../helpers/daemon-harness.js';
import type { ThrowawayUser } from './helpers.js';
import {
  daemonLogLines,
  expectListAnswers,
  expectNoDaemonThrow,
  expectOnlyLevelFiles,
  fixtureDir,
  maybeUser,
  memoryOf,
  resetPeak,
  SEND_RAW,
} from './ipc-helpers.js';

const MiB = 1024 * 1024;
const APPS = [
  'exc-flood',
  'exc-trunc',
  'levels',
  'bad-flood',
  'raw-flood',
  'honest',
  'handles',
  'stopped-reader',
];

let home: TestHome;
let client: GuvClient;
let user: ThrowawayUser | null = null;
let fx: ReturnType<typeof fixtureDir>;

beforeAll(async () => {
  fx = fixtureDir();
  user = maybeUser('i');
  home = makeHome();
  client = await startDaemon(home);
}, 60_000);

afterAll(async () => {
  await cleanupHome(home);
  fx.remove();
  user?.remove();
}, 60_000);

function start(script: string, name: string, options: StartOptions = {}) {
  return client.startProcess(script, {
    name,
    env: home.childEnv,
    ...(user ? { user: user.name } : {}),
    ...options,
  });
}

async function row(name: string) {
  return (await client.listProcesses()).find((p) => p.name === name);
}

const outLog = (name: string) =>
  existsSync(home.logFile(name)) ? readFileSync(home.logFile(name), 'utf8') : '';

/** Either the fixture got to the end (it logs `marker`), or the daemon stopped it on the way. */
async function floodOver(name: string, marker: string): Promise<'finished' | 'stopped'> {
  return eventually(
    async () => {
      if (outLog(name).includes(marker)) return 'finished' as const;
      const status = (await row(name))?.status ?? '';
      return ['stopped', 'errored', 'failed', 'aborted'].includes(status)
        ? ('stopped' as const)
        : null;
    },
    `${name} to finish or be stopped`,
    180_000,
  );
}

const exceptionsFile = () => join(home.stateDir, 'exceptions.json');

describe('finding 6: a supervised app cannot exhaust the root daemon through its IPC channel', () => {
  it('finding 6: 50 × 8 MiB exceptions keep the daemon under 200 MB RSS and exceptions.json under its cap', async () => {
    const since = daemonLogLines(home).length;
    const script = fx.write(
      'exc-flood.js',
      `${SEND_RAW}
const big = 'e'.repeat(8 * 1024 * 1024);
setTimeout(async () => {
  for (let i = 0; i < 50; i++)
    await guv({ type: 'uncaught', handled: true, error: { name: 'Error', message: 'flood ' + i, stack: big } });
  await guv({ type: 'log', level: 'info', message: 'exception flood done' });
}, 300);
setInterval(() => {}, 1000);
`,
    );
    resetPeak(daemonPid(home));
    await start(script, 'exc-flood', { restart: 'never' });
    await floodOver('exc-flood', 'exception flood done');
    // The debounced write of the exceptions (1 s) has had its chance.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const memory = memoryOf(daemonPid(home));
    expect(memory.peak).toBeLessThan(200 * MiB);
    if (existsSync(exceptionsFile())) expect(statSync(exceptionsFile()).size).toBeLessThan(8 * MiB);
    expectNoDaemonThrow(home, since);
    await expectListAnswers(home, 'exc-flood');
  }, 240_000);

  it('finding 6: a stored exception is capped (message 8 KiB, stack 32 KiB) and exceptions.json stays bounded', async () => {
    const since = daemonLogLines(home).length;
    const script = fx.write(
      'exc-trunc.js',
      `${SEND_RAW}
const message = 'm'.repeat(100 * 1024);
const stack = 's'.repeat(600 * 1024);
setTimeout(async () => {
  for (let i = 0; i < 50; i++)
    await guv({ type: 'uncaught', handled: true, error: { name: 'Error', message: (i === 49 ? 'last ' : 'big ') + message, stack } });
  await guv({ type: 'log', level: 'info', message: 'truncation flood done' });
}, 300);
setInterval(() => {}, 1000);
`,
    );
    const started = await start(script, 'exc-trunc');
    const id = started.id;
    type Saved = {
      processes: Record<string, Array<{ error: { message: string; stack?: string } }>>;
    };
    const saved = await eventually(
      () => {
        try {
          const parsed = JSON.parse(readFileSync(exceptionsFile(), 'utf8')) as Saved;
          return parsed.processes[id]?.at(-1)?.error.message.startsWith('last ') ? parsed : null;
        } catch {
          return null;
        }
      },
      'the last exception in exceptions.json',
      120_000,
    );
    const kept = saved.processes[id]!;
    expect(kept.length).toBeGreaterThan(0);
    for (const entry of kept) {
      expect(entry.error.message.length).toBeLessThanOrEqual(8 * 1024);
      expect(entry.error.stack?.length ?? 0).toBeLessThanOrEqual(32 * 1024);
    }
    expect(kept.at(-1)!.error.message).toContain('truncated');
    expect(statSync(exceptionsFile()).size).toBeLessThanOrEqual(2 * MiB + 64 * 1024);
    expect((await row('exc-trunc'))?.status).toBe('running');
    expectNoDaemonThrow(home, since);
  }, 180_000);

  it("finding 6: log levels such as 'constructor', '__proto__' and '../../x' never throw in the daemon nor become file names", async () => {
    const since = daemonLogLines(home).length;
    const script = fx.write(
      'levels.js',
      `${SEND_RAW}
setTimeout(async () => {
  for (const level of ['constructor', '__proto__', '../../x', 'toString', 'hasOwnProperty', 42, { level: 'info' }, null])
    await guv({ type: 'log', level, message: 'hostile level ' + String(level) });
  await guv({ type: 'log', level: 'info', message: { toString: 1 } });
  await guv({ type: 'log', level: 'warn', message: 42 });
  await guv({ type: 'config:request', requestId: 'x', key: { a: 1 } });
  await guv({ type: 'config:request', requestId: 1, key: 'k'.repeat(100000) });
  await guv({ type: 'heartbeat', rss: 'lots' });
  await guv({ type: 'errored' });
  await guv({ type: 'uncaught', handled: 'yes', error: 'boom' });
  await guv({ type: 'listening', kind: 'constructor', port: -1, address: {} });
  await guv({ type: 'reply', requestId: {}, ok: false });
  await guv({ type: 'log', level: 'info', message: 'hostile levels done' });
}, 300);
setInterval(() => {}, 1000);
`,
    );
    await start(script, 'levels');
    await eventually(
      () => outLog('levels').includes('hostile levels done'),
      'the end marker',
      60_000,
    );
    expectNoDaemonThrow(home, since);
    expectOnlyLevelFiles(home, APPS);
    expect(outLog('levels')).not.toContain('hostile level ');
    const levels = await row('levels');
    expect(levels?.status).toBe('running');
    expect(levels?.restarts).toBe(0);
    await expectListAnswers(home, 'levels');
  }, 120_000);

  it('finding 6: a flood of 10,000 malformed messages adds at most a few lines to daemon.log', async () => {
    const since = daemonLogLines(home).length;
    const script = fx.write(
      'bad-flood.js',
      `${SEND_RAW}
const bad = [
  { type: 'log', level: 'constructor', message: 'x' },
  { type: 'log', level: 'info', message: 42 },
  { type: 'log', level: '__proto__', message: 'y'.repeat(1000) },
  { type: 'heartbeat', rss: 'x' },
  { type: 'no-such-type' },
];
setTimeout(async () => {
  for (let i = 0; i < 10000; i++) await guv(bad[i % bad.length]);
  await guv({ type: 'log', level: 'info', message: 'bad flood done' });
}, 300);
setInterval(() => {}, 1000);
`,
    );
    await start(script, 'bad-flood');
    await eventually(
      () => outLog('bad-flood').includes('bad flood done'),
      'the end marker',
      120_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const after = daemonLogLines(home);
    const added = after.slice(since);
    expect(added.length).toBeLessThanOrEqual(3);
    expect(added.join('\n').length).toBeLessThan(4096);
    expectNoDaemonThrow(home, since);
    const flooded = await row('bad-flood');
    expect(flooded?.status).toBe('running');
    await expectListAnswers(home, 'bad-flood');
  }, 180_000);

  it('finding 6: one endless IPC message (300 MiB without a newline) is cut off, not buffered by the daemon', async () => {
    const since = daemonLogLines(home).length;
    const script = fx.write(
      'raw-flood.js',
      `
const fs = require('node:fs');
const chunk = Buffer.alloc(1024 * 1024, 'a');
let sent = 0;
function pump() {
  while (sent < 300 * 1024 * 1024) {
    try {
      sent += fs.writeSync(3, chunk, 0, chunk.length);
    } catch (error) {
      if (error.code === 'EAGAIN') return setTimeout(pump, 1);
      throw error;
    }
  }
  console.log('raw flood sent');
}
setTimeout(pump, 300);
setInterval(() => {}, 1000);
`,
    );
    resetPeak(daemonPid(home));
    await start(script, 'raw-flood', { restart: 'never' });
    await floodOver('raw-flood', 'raw flood sent');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(memoryOf(daemonPid(home)).peak).toBeLessThan(200 * MiB);
    expect((await row('raw-flood'))?.status).not.toBe('running');
    expectNoDaemonThrow(home, since);
    await expectListAnswers(home, 'raw-flood');
  }, 240_000);

  it("finding 6 (no regression): an honest app's 8 MiB error and 1 MiB log line are cut by its wrapper, stored, and it is not killed", async () => {
    const since = daemonLogLines(home).length;
    const script = fx.write(
      'honest.js',
      `
process.on('uncaughtException', () => {});
setTimeout(() => {
  process.emit('guv:log', 'warn', 'w'.repeat(1024 * 1024));
  setTimeout(() => {
    throw new Error('honest ' + 'h'.repeat(8 * 1024 * 1024));
  }, 50);
}, 300);
setInterval(() => {}, 1000);
`,
    );
    const started = await start(script, 'honest');
    const stored = await eventually(
      async () => {
        const found = await client.exceptions('honest');
        return found.exceptions.at(-1);
      },
      'the exception',
      60_000,
    );
    expect(stored.error.message.startsWith('honest hhh')).toBe(true);
    expect(stored.error.message.length).toBeLessThanOrEqual(8 * 1024);
    expect(stored.error.message).toContain('truncated by guv');
    const warn = readFileSync(join(home.dir, 'logs', 'honest', 'warn.log'), 'utf8');
    expect(warn.length).toBeGreaterThan(60 * 1024);
    expect(warn.length).toBeLessThan(65 * 1024 + 100);
    const row = (await client.listProcesses()).find((p) => p.id === started.id);
    expect(row?.status).toBe('running');
    expect(row?.restarts).toBe(0);
    expect(daemonLogLines(home).slice(since).join('\n')).not.toContain('dropped messages');
  }, 120_000);

  it('finding 6: sockets a child passes over IPC are closed, never left open in the daemon', async () => {
    const fds = () => readdirSync(`/proc/${daemonPid(home)}/fd`).length;
    const before = fds();
    const script = fx.write(
      'handles.js',
      `
const dgram = require('node:dgram');
const pass = (message) => new Promise((resolve) => {
  const socket = dgram.createSocket('udp4');
  socket.bind(0, '127.0.0.1', () => process.send(message, socket, {}, () => { socket.close(); resolve(); }));
});
setTimeout(async () => {
  for (let i = 0; i < 300; i++) await pass(i % 2 ? { hello: i } : { cmd: 'NODE_GUV', type: 'nope' });
  process.send({ cmd: 'NODE_GUV', type: 'log', level: 'info', message: 'handles sent' });
}, 300);
setInterval(() => {}, 1000);
`,
    );
    await start(script, 'handles');
    await eventually(() => outLog('handles').includes('handles sent'), 'the end marker', 60_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(fds() - before).toBeLessThan(50);
  }, 120_000);

  it('finding 6: a child that asks for config and never reads the answers cannot pile them up in the daemon', async () => {
    resetPeak(daemonPid(home));
    const script = fx.write(
      'stopped-reader.js',
      `${SEND_RAW}
setTimeout(async () => {
  // Stop reading the channel: the answers stay with the daemon.
  const channel = process[Object.getOwnPropertySymbols(process).find((s) => s.description === 'kChannelHandle')];
  channel.readStop();
  const body = { cmd: 'NODE_GUV', type: 'config:request', requestId: 1, key: 'k'.repeat(250) };
  for (let i = 0; i < 1000000; i++) process.send({ ...body, requestId: i });
  await guv({ type: 'log', level: 'info', message: 'requests sent' });
}, 300);
setInterval(() => {}, 1000);
`,
    );
    await start(script, 'stopped-reader');
    await eventually(
      () => outLog('stopped-reader').includes('requests sent'),
      'the end marker',
      120_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 3000));
    // The daemon holds at most one message's worth per child unanswered: far under twice its size.
    expect(memoryOf(daemonPid(home)).peak).toBeLessThan(128 * MiB);
    await expectListAnswers(home, 'stopped-reader');
  }, 180_000);
});

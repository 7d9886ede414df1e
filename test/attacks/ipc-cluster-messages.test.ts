import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GuvClient, StartOptions } from '../../src/client/api.js';
import {
  alive,
  cleanupHome,
  crashDaemon,
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
const APPS = ['w-hostile', 'w-exc', 'm-hostile', 'm-raw', 'm-handles', 'm-deaf'];

let home: TestHome;
let client: GuvClient;
let user: ThrowawayUser | null = null;
let fx: ReturnType<typeof fixtureDir>;
let idle: string;

beforeAll(async () => {
  fx = fixtureDir();
  user = maybeUser('i');
  home = makeHome();
  client = await startDaemon(home);
  idle = fx.write('idle.js', 'setInterval(() => {}, 1000);\n');
}, 60_000);

afterAll(async () => {
  await cleanupHome(home);
  fx.remove();
  user?.remove();
}, 60_000);

function startCluster(script: string, name: string, options: StartOptions = {}) {
  return client.startProcess(script, {
    name,
    instances: 1,
    ...(user ? { user: user.name } : {}),
    ...options,
    env: { ...home.childEnv, ...options.env },
  });
}

async function row(name: string) {
  return (await client.listProcesses()).find((p) => p.name === name);
}

const read = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '');
const workerLog = (name: string) => read(join(home.dir, 'logs', name, 'worker-0.out.log'));
const managerLog = (name: string) => read(join(home.dir, 'logs', name, 'out.log'));

/** A `--require` hook that runs only in the cluster's manager process (guv's manager.cjs). */
function managerHook(file: string, body: string): string {
  return fx.write(
    file,
    `
const cluster = require('node:cluster');
if (cluster.isPrimary && /manager\\.c?js$/.test(process.argv[1] ?? '')) {
  const send = (m) => new Promise((resolve) => process.send(m, undefined, undefined, () => resolve()));
  ${body}
}
`,
  );
}

describe('finding 6: cluster workers and managers are held to the same message schema as any child', () => {
  it("finding 6: a worker's hostile levels and 10,000 malformed messages, relayed by its manager, neither throw in the daemon nor flood daemon.log", async () => {
    const since = daemonLogLines(home).length;
    const script = fx.write(
      'w-hostile.js',
      `${SEND_RAW}
const bad = [
  { type: 'log', level: 'constructor', message: 'x' },
  { type: 'log', level: '__proto__', message: 'x' },
  { type: 'log', level: '../../x', message: 'x' },
  { type: 'log', level: 42, message: 'x' },
  { type: 'log', level: { a: 1 }, message: 'x' },
  { type: 'log', level: 'info', message: 42 },
  { type: 'heartbeat', rss: 'x' },
  { type: 'config:request', requestId: 'x', key: {} },
];
setTimeout(async () => {
  for (let i = 0; i < 10000; i++) await guv(bad[i % bad.length]);
  await guv({ type: 'log', level: 'info', message: 'worker hostile done' });
}, 300);
setInterval(() => {}, 1000);
`,
    );
    await startCluster(script, 'w-hostile');
    await eventually(
      () => workerLog('w-hostile').includes('worker hostile done'),
      'the end marker',
      120_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expectNoDaemonThrow(home, since);
    expectOnlyLevelFiles(home, APPS);
    const added = daemonLogLines(home).slice(since);
    expect(added.length).toBeLessThanOrEqual(3);
    expect(added.join('\n').length).toBeLessThan(4096);
    expect((await row('w-hostile'))?.status).toBe('running');
    await expectListAnswers(home, 'w-hostile');
  }, 180_000);

  it("finding 6: a worker's 50 × 8 MiB exceptions keep the daemon under 200 MB RSS", async () => {
    const since = daemonLogLines(home).length;
    resetPeak(daemonPid(home));
    const script = fx.write(
      'w-exc.js',
      `${SEND_RAW}
const big = 'e'.repeat(8 * 1024 * 1024);
setTimeout(async () => {
  for (let i = 0; i < 50; i++)
    await guv({ type: 'uncaught', handled: true, error: { name: 'Error', message: 'flood ' + i, stack: big } });
  await guv({ type: 'log', level: 'info', message: 'worker exception flood done' });
}, 300);
setInterval(() => {}, 1000);
`,
    );
    await startCluster(script, 'w-exc');
    await eventually(
      () => workerLog('w-exc').includes('worker exception flood done'),
      'the end marker',
      180_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(memoryOf(daemonPid(home)).peak).toBeLessThan(200 * MiB);
    expectNoDaemonThrow(home, since);
    await expectListAnswers(home, 'w-exc');
  }, 240_000);

  it("finding 6: a cluster manager (it runs as the app's user) sending malformed messages is validated like any child", async () => {
    const since = daemonLogLines(home).length;
    const hook = managerHook(
      'm-hostile.js',
      `
  process.on('message', (command) => {
    if (!command || command.type !== 'fork') return;
    const w = command.workerId;
    setTimeout(async () => {
      const bad = [
        { type: 'ready', pid: 'x' },
        { type: 'forked', workerId: w, pid: { a: 1 } },
        { type: 'output', workerId: w, stream: 'constructor', data: 'x' },
        { type: 'output', workerId: w, stream: 'stdout', data: { length: 5 } },
        { type: 'wrapper', workerId: w, message: { cmd: 'NODE_GUV', type: 'log', level: 'constructor', message: 'x' } },
        { type: 'wrapper', workerId: w, message: { cmd: 'NODE_GUV', type: 'log', level: '../../x', message: 'x' } },
        { type: 'wrapper', workerId: w, message: { cmd: 'NODE_GUV', type: 'uncaught', handled: true, error: { name: 'E', message: {}, stack: 1 } } },
        { type: 'wrapper', workerId: w, message: 'NODE_GUV' },
        { type: 'exit', workerId: w + 'x', code: {}, signal: [] },
        { type: '__proto__' },
        42,
      ];
      for (let i = 0; i < 10000; i++) await send(bad[i % bad.length]);
      await send({ type: 'wrapper', workerId: w, message: { cmd: 'NODE_GUV', type: 'log', level: 'info', message: 'hostile manager done' } });
    }, 1000);
  });
`,
    );
    await startCluster(idle, 'm-hostile', { env: { NODE_OPTIONS: `--require ${hook}` } });
    await eventually(
      () => workerLog('m-hostile').includes('hostile manager done'),
      'the end marker',
      120_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expectNoDaemonThrow(home, since);
    expectOnlyLevelFiles(home, APPS);
    const added = daemonLogLines(home).slice(since);
    expect(added.length).toBeLessThanOrEqual(3);
    expect(added.join('\n').length).toBeLessThan(4096);
    const cluster = await row('m-hostile');
    expect(cluster?.status).toBe('running');
    await expectListAnswers(home, 'm-hostile');
  }, 180_000);

  it('finding 6: a cluster manager sending one endless IPC message (300 MiB without a newline) is cut off', async () => {
    const since = daemonLogLines(home).length;
    resetPeak(daemonPid(home));
    const hook = managerHook(
      'm-raw.js',
      `
  const fs = require('node:fs');
  const chunk = Buffer.alloc(1024 * 1024, 'a');
  let sent = 0;
  const pump = () => {
    while (sent < 300 * 1024 * 1024) {
      try {
        sent += fs.writeSync(3, chunk, 0, chunk.length);
      } catch (error) {
        if (error.code === 'EAGAIN') return setTimeout(pump, 1);
        throw error;
      }
    }
    console.log('manager raw flood sent');
  };
  process.on('message', (command) => {
    if (command && command.type === 'fork') setTimeout(pump, 500);
  });
`,
    );
    await startCluster(idle, 'm-raw', {
      env: { NODE_OPTIONS: `--require ${hook}` },
      restart: 'never',
    });
    await eventually(
      async () => {
        if (managerLog('m-raw').includes('manager raw flood sent')) return true;
        const status = (await row('m-raw'))?.status ?? '';
        return ['stopped', 'errored', 'failed', 'aborted'].includes(status);
      },
      'the flood to end or the cluster to stop',
      180_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(memoryOf(daemonPid(home)).peak).toBeLessThan(200 * MiB);
    expect(managerLog('m-raw')).not.toContain('manager raw flood sent');
    expectNoDaemonThrow(home, since);
    await expectListAnswers(home, 'm-raw');
  }, 240_000);

  it('finding 6: sockets a cluster manager passes over IPC are closed, never left open in the daemon', async () => {
    const fds = () => readdirSync(`/proc/${daemonPid(home)}/fd`).length;
    const before = fds();
    const hook = managerHook(
      'm-handles.js',
      `
  const dgram = require('node:dgram');
  const pass = (message) => new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.bind(0, '127.0.0.1', () => process.send(message, socket, {}, () => { socket.close(); resolve(); }));
  });
  process.on('message', (command) => {
    if (!command || command.type !== 'fork') return;
    const w = command.workerId;
    setTimeout(async () => {
      for (let i = 0; i < 300; i++) await pass(i % 2 ? { type: 'nope' } : { cmd: 'NODE_X' });
      await send({ type: 'wrapper', workerId: w, message: { cmd: 'NODE_GUV', type: 'log', level: 'info', message: 'manager handles sent' } });
    }, 1000);
  });
`,
    );
    await startCluster(idle, 'm-handles', { env: { NODE_OPTIONS: `--require ${hook}` } });
    await eventually(
      () => workerLog('m-handles').includes('manager handles sent'),
      'the end marker',
      60_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(fds() - before).toBeLessThan(50);
  }, 120_000);

  it('finding 6: a cluster manager that relays config requests and never reads the answers cannot pile them up in the daemon', async () => {
    resetPeak(daemonPid(home));
    const hook = managerHook(
      'm-deaf.js',
      `
  process.on('message', (command) => {
    if (!command || command.type !== 'fork') return;
    const w = command.workerId;
    setTimeout(async () => {
      // Stop reading the channel: the answers stay with the daemon.
      const channel = process[Object.getOwnPropertySymbols(process).find((s) => s.description === 'kChannelHandle')];
      channel.readStop();
      const message = { cmd: 'NODE_GUV', type: 'config:request', requestId: 1, key: 'k'.repeat(250) };
      for (let i = 0; i < 1000000; i++) process.send({ type: 'wrapper', workerId: w, message: { ...message, requestId: i } });
      await send({ type: 'wrapper', workerId: w, message: { cmd: 'NODE_GUV', type: 'log', level: 'info', message: 'deaf requests sent' } });
    }, 1000);
  });
`,
    );
    await startCluster(idle, 'm-deaf', { env: { NODE_OPTIONS: `--require ${hook}` } });
    await eventually(
      () => workerLog('m-deaf').includes('deaf requests sent'),
      'the end marker',
      150_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 3000));
    // The daemon holds at most one message's worth per manager unanswered: far under twice its size.
    expect(memoryOf(daemonPid(home)).peak).toBeLessThan(128 * MiB);
    await expectListAnswers(home, 'm-deaf');
  }, 240_000);

  it("a cluster manager cannot pass another process off as itself: the pid root saves (and kills after a crash) is the manager's own", async () => {
    const own = makeHome();
    const bystander = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' });
    try {
      const ownClient = await startDaemon(own);
      const hook = managerHook(
        'm-liar.js',
        `
  process.on('message', (command) => {
    if (command && command.type === 'setup') send({ type: 'ready', pid: Number(process.env.BYSTANDER_PID) });
  });
`,
      );
      const started = await ownClient.startProcess(idle, {
        name: 'm-liar',
        instances: 1,
        ...(user ? { user: user.name } : {}),
        env: {
          ...own.childEnv,
          NODE_OPTIONS: `--require ${hook}`,
          BYSTANDER_PID: String(bystander.pid),
        },
      });
      const saved = await eventually(
        () => {
          try {
            const state = JSON.parse(readFileSync(own.processesFile, 'utf8')) as {
              processes: Array<{ definition: { id: string }; pid: number | null }>;
            };
            return state.processes.find((p) => p.definition.id === started.id && p.pid !== null);
          } catch {
            return null;
          }
        },
        'the cluster saved with its pid',
        60_000,
      );
      expect(saved.pid).not.toBe(bystander.pid);
      // The daemon dies; the next one stops what the last one left running, by the saved pids.
      await crashDaemon(own);
      await startDaemon(own);
      await expectListAnswers(own, 'm-liar');
      expect(alive(bystander.pid!)).toBe(true);
    } finally {
      await cleanupHome(own);
      bystander.kill('SIGKILL');
    }
  }, 180_000);
});

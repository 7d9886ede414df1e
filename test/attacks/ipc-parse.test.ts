import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseWrapperMessage, truncateText } from '../../src/actors/wrapper/parse-message.js';
import { WRAPPER_CMD, WRAPPER_LIMITS } from '../../src/actors/wrapper/protocol.js';
import { MANAGER_LIMITS, parseManagerMessage } from '../../src/cluster/protocol.js';
import { createExceptionStore } from '../../src/crash/exception-store.js';
import { createDroppedMessages } from '../../src/supervision/dropped-messages.js';
import { ensurePreloadBuilt } from '../actors/wrapper/build-preload.js';
import { ensureManagerBuilt } from '../cluster/build-manager.js';

const require = createRequire(import.meta.url);
const guv = (body: Record<string, unknown>) => ({ cmd: WRAPPER_CMD, ...body });
const error = { name: 'Error', message: 'boom', stack: 'Error: boom\n    at x (/a.js:1:1)' };

describe('finding 6: one schema for what a child sends', () => {
  it("accepts every message guv's wrapper sends, as a fresh object without extra fields", () => {
    const valid = [
      guv({ type: 'started' }),
      guv({ type: 'ready' }),
      guv({ type: 'errored', error }),
      guv({ type: 'uncaught', error: { ...error, code: 'E_X' }, handled: true }),
      guv({ type: 'log', level: 'warn', message: 'disk low' }),
      guv({ type: 'listening', kind: 'http', port: 8080, address: '::' }),
      guv({ type: 'listening', kind: 'net', port: null, address: '/tmp/s.sock' }),
      guv({
        type: 'heartbeat',
        heapUsed: 1,
        heapTotal: 2,
        rss: 3,
        loopDelayP50: 0,
        loopDelayP99: 0.5,
        loopDelayMax: 1,
        cpuUser: 10,
        cpuSystem: 5,
        periodMs: 5000,
      }),
      guv({ type: 'config:request', requestId: 3, key: 'name' }),
      guv({ type: 'reply', requestId: 1, ok: true, result: true }),
      guv({ type: 'reply', requestId: 2, ok: true }),
      guv({ type: 'reply', requestId: 2, ok: false, error }),
    ];
    for (const message of valid) {
      const parsed = parseWrapperMessage({ ...message, extra: 'x'.repeat(10) });
      expect(parsed).toEqual({ ok: true, message });
    }
  });

  it('drops unknown types, wrong field types, levels outside debug|info|warn|error and non-finite figures', () => {
    const bad: unknown[] = [
      null,
      42,
      'ready',
      [],
      { type: 'ready' },
      guv({ type: 'nope' }),
      guv({ type: '__proto__' }),
      ...['constructor', '__proto__', '../../x', 'toString', 42, {}, null].map((level) =>
        guv({ type: 'log', level, message: 'x' }),
      ),
      guv({ type: 'log', level: 'info', message: 42 }),
      guv({ type: 'log', level: 'info', message: { toString: 1 } }),
      guv({ type: 'errored' }),
      guv({ type: 'errored', error: 'boom' }),
      guv({ type: 'errored', error: { name: 'E', message: {} } }),
      guv({ type: 'errored', error: { ...error, stack: 1 } }),
      guv({ type: 'errored', error: { ...error, code: 1 } }),
      guv({ type: 'uncaught', error, handled: 'yes' }),
      guv({ type: 'listening', kind: 'constructor', port: 1, address: '' }),
      guv({ type: 'listening', kind: 'http', port: -1, address: '' }),
      guv({ type: 'listening', kind: 'http', port: 70000, address: '' }),
      guv({ type: 'listening', kind: 'http', port: 1.5, address: '' }),
      guv({ type: 'listening', kind: 'http', port: 1, address: 'a'.repeat(2000) }),
      guv({ type: 'heartbeat', rss: 'lots' }),
      guv({ type: 'config:request', requestId: 'x', key: 'k' }),
      guv({ type: 'config:request', requestId: -1, key: 'k' }),
      guv({ type: 'config:request', requestId: 1, key: {} }),
      guv({ type: 'config:request', requestId: 1, key: 'k'.repeat(WRAPPER_LIMITS.configKey + 1) }),
      guv({ type: 'reply', requestId: {}, ok: true }),
      guv({ type: 'reply', requestId: 1, ok: 'yes' }),
      guv({ type: 'reply', requestId: 1, ok: false }),
    ];
    for (const message of bad) {
      const parsed = parseWrapperMessage(message);
      expect(parsed.ok, JSON.stringify(message)).toBe(false);
    }
    // JSON turns NaN and Infinity into null: a heartbeat carrying one is malformed.
    const heartbeat = JSON.parse(
      JSON.stringify(
        guv({ type: 'heartbeat', heapUsed: Number.NaN, heapTotal: 1, rss: 1, loopDelayP50: 0 }),
      ),
    );
    expect(parseWrapperMessage(heartbeat).ok).toBe(false);
  });

  it('never quotes the sender in a reason', () => {
    const parsed = parseWrapperMessage(guv({ type: 'log', level: 'x'.repeat(1000), message: 'y' }));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason.length).toBeLessThan(80);
  });

  it('cuts texts to their caps with a marker instead of rejecting', () => {
    const parsed = parseWrapperMessage(
      guv({
        type: 'uncaught',
        handled: true,
        error: {
          name: 'N'.repeat(10_000),
          message: 'm'.repeat(8 * 1024 * 1024),
          stack: 's'.repeat(8 * 1024 * 1024),
          code: 'C'.repeat(10_000),
        },
      }),
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok || parsed.message.type !== 'uncaught') return;
    const { name, message, stack, code } = parsed.message.error;
    expect(name.length).toBeLessThanOrEqual(WRAPPER_LIMITS.errorName);
    expect(message.length).toBeLessThanOrEqual(8 * 1024);
    expect(stack!.length).toBeLessThanOrEqual(32 * 1024);
    expect(code!.length).toBeLessThanOrEqual(WRAPPER_LIMITS.errorCode);
    expect(message).toMatch(/truncated by guv: 8388608 characters\]$/);
    const log = parseWrapperMessage(guv({ type: 'log', level: 'info', message: 'l'.repeat(1e6) }));
    expect(log.ok && log.message.type === 'log' && log.message.message.length).toBe(64 * 1024);
    // A surrogate pair is never split.
    const emoji = truncateText(`${'a'.repeat(99)}${'😀'.repeat(100)}`, 120);
    expect(emoji.length).toBeLessThanOrEqual(120);
    expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(emoji)).toBe(false);
  });

  it("holds a cluster manager (it runs as the app's user) to the same schema, the relayed wrapper message included", () => {
    const valid = [
      { type: 'ready', pid: 10 },
      { type: 'forked', workerId: 'c.0', pid: 11 },
      { type: 'fork-failed', workerId: 'c.0', error },
      {
        type: 'wrapper',
        workerId: 'c.0',
        message: guv({ type: 'log', level: 'info', message: 'hi' }),
      },
      { type: 'output', workerId: 'c.0', stream: 'stderr', data: 'oops\n' },
      { type: 'exit', workerId: 'c.0', code: null, signal: 'SIGKILL' },
      { type: 'exit', workerId: 'c.0', code: 1, signal: null },
    ];
    for (const message of valid)
      expect(parseManagerMessage(message)).toEqual({ ok: true, message });
    const bad: unknown[] = [
      42,
      null,
      { type: '__proto__' },
      { type: 'ready', pid: 'x' },
      { type: 'ready', pid: 0 },
      { type: 'ready', pid: -1 },
      { type: 'forked', workerId: {}, pid: 1 },
      { type: 'forked', workerId: 'w'.repeat(MANAGER_LIMITS.workerId + 1), pid: 1 },
      { type: 'forked', workerId: 'c.0', pid: { a: 1 } },
      { type: 'fork-failed', workerId: 'c.0', error: 'x' },
      {
        type: 'wrapper',
        workerId: 'c.0',
        message: guv({ type: 'log', level: 'constructor', message: 'x' }),
      },
      { type: 'wrapper', workerId: 'c.0', message: 'NODE_GUV' },
      { type: 'output', workerId: 'c.0', stream: 'constructor', data: 'x' },
      { type: 'output', workerId: 'c.0', stream: 'stdout', data: { length: 5 } },
      {
        type: 'output',
        workerId: 'c.0',
        stream: 'stdout',
        data: 'd'.repeat(MANAGER_LIMITS.output + 1),
      },
      { type: 'exit', workerId: 'c.0', code: {}, signal: null },
      { type: 'exit', workerId: 'c.0', code: 0, signal: [] },
      { type: 'exit', workerId: 'c.0', code: 0, signal: 'S'.repeat(100) },
    ];
    for (const message of bad)
      expect(parseManagerMessage(message).ok, JSON.stringify(message)).toBe(false);
  });

  it('the preload and the manager (CommonJS copies) agree with the caps', () => {
    const preload = require(ensurePreloadBuilt()) as Record<string, unknown>;
    expect(preload.WRAPPER_LIMITS).toEqual(WRAPPER_LIMITS);
    const manager = require(ensureManagerBuilt()) as Record<string, unknown>;
    expect(manager.MAX_RELAYED_MESSAGE).toBe(WRAPPER_LIMITS.ipcMessage);
    expect(MANAGER_LIMITS.ipcMessage).toBeGreaterThan(WRAPPER_LIMITS.ipcMessage);
  });
});

describe('finding 6: dropped messages are counted, and reported at most once per interval per child', () => {
  it('reports the first at once, folds the rest into the next report', () => {
    let now = 0;
    const reports: unknown[] = [];
    const dropped = createDroppedMessages({
      report: (r) => reports.push(r),
      intervalMs: 60_000,
      now: () => now,
    });
    for (let i = 0; i < 10_000; i++) dropped.drop('a', 'log: bad level');
    dropped.drop('b', 'unknown message type');
    expect(reports).toEqual([
      { id: 'a', dropped: 1, total: 1, reason: 'log: bad level' },
      { id: 'b', dropped: 1, total: 1, reason: 'unknown message type' },
    ]);
    now = 60_000;
    dropped.drop('a', 'heartbeat: a figure is not a finite number');
    expect(reports.at(-1)).toEqual({
      id: 'a',
      dropped: 10_000,
      total: 10_001,
      reason: 'heartbeat: a figure is not a finite number',
    });
    expect(dropped.count('a')).toBe(10_001);
    dropped.forget('a');
    expect(dropped.count('a')).toBe(0);
  });
});

describe('finding 6: the exception store is bounded in count and bytes, per process and in all', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'guv-ipc-exc-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const big = (time: number) => ({
    time,
    pid: 1,
    handled: true,
    error: {
      name: 'Error',
      message: 'm'.repeat(8 * 1024 * 1024),
      stack: 's'.repeat(8 * 1024 * 1024),
    },
  });

  it('50 × 8 MiB exceptions are kept cut to their caps, and the file stays under the byte cap', async () => {
    const file = join(dir, 'exceptions.json');
    const store = createExceptionStore({
      file,
      perProcessBytes: 1024 * 1024,
      totalBytes: 1536 * 1024,
    });
    for (let t = 1; t <= 50; t++) store.add('a', big(t));
    for (let t = 51; t <= 100; t++) store.add('b', big(t));
    expect(store.bytes).toBeLessThanOrEqual(1536 * 1024);
    expect(store.list('a').length + store.list('b').length).toBe(store.size);
    expect(store.list('b').length).toBeGreaterThan(0);
    expect(store.last('b')!.time).toBe(100);
    for (const entry of store.list('b')) {
      expect(entry.error.message.length).toBeLessThanOrEqual(8 * 1024);
      expect(entry.error.stack!.length).toBeLessThanOrEqual(32 * 1024);
    }
    await store.close();
    expect(statSync(file).size).toBeLessThanOrEqual(1536 * 1024);
  });

  it('an oversized file left by an older daemon is set aside, not read', async () => {
    const file = join(dir, 'exceptions.json');
    writeFileSync(file, JSON.stringify({ version: 1, processes: { a: [big(1), big(2)] } }));
    const store = createExceptionStore({ file, totalBytes: 1024 * 1024 });
    const read = await store.load();
    expect(read.kind).toBe('corrupt');
    expect(store.size).toBe(0);
    if (read.kind === 'corrupt')
      expect(readFileSync(read.keptAs!, 'utf8').length).toBeGreaterThan(0);
  });
});

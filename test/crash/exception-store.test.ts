import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExceptionStore, type StoredException } from '../../src/crash/exception-store.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'guv-exceptions-'));
  file = join(dir, 'state', 'exceptions.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function exception(time: number, message = `boom ${time}`, handled = false): StoredException {
  return {
    time,
    pid: 1234,
    handled,
    error: {
      name: 'TypeError',
      message,
      stack: `TypeError: ${message}\n    at f (/app/server.js:12:5)`,
    },
  };
}

describe('exception store', () => {
  it('keeps the newest per process and drops the oldest', () => {
    const store = createExceptionStore({ file, perProcess: 3 });
    for (let t = 1; t <= 5; t++) store.add('a', exception(t));
    expect(store.list('a').map((e) => e.time)).toEqual([3, 4, 5]);
    expect(store.last('a')?.time).toBe(5);
    expect(store.last('nobody')).toBeNull();
    expect(store.list('nobody')).toEqual([]);
    expect(store.size).toBe(3);
  });

  it('bounds the total by dropping the oldest anywhere', () => {
    const store = createExceptionStore({ file, perProcess: 10, total: 4 });
    store.add('a', exception(1));
    store.add('b', exception(2));
    store.add('a', exception(3));
    store.add('b', exception(4));
    store.add('c', exception(5));
    store.add('c', exception(6));
    expect(store.size).toBe(4);
    expect(store.list('a').map((e) => e.time)).toEqual([3]);
    expect(store.list('b').map((e) => e.time)).toEqual([4]);
    expect(store.list('c').map((e) => e.time)).toEqual([5, 6]);
  });

  it('clears one process', () => {
    const store = createExceptionStore({ file });
    store.add('a', exception(1));
    store.add('b', exception(2));
    store.clear('a');
    expect(store.list('a')).toEqual([]);
    expect(store.size).toBe(1);
  });

  it('survives a daemon restart: debounced write, then load', async () => {
    const first = createExceptionStore({ file, debounceMs: 20 });
    expect((await first.load()).kind).toBe('missing');
    first.add('a', exception(1, 'first'));
    first.add('a', exception(2, 'second', true));
    first.add('b', exception(3));
    await new Promise((resolve) => setTimeout(resolve, 60));
    await first.flush();
    const written = JSON.parse(readFileSync(file, 'utf8'));
    expect(written.version).toBe(1);

    const second = createExceptionStore({ file, perProcess: 1 });
    expect((await second.load()).kind).toBe('ok');
    expect(second.list('a')).toEqual([exception(2, 'second', true)]);
    expect(second.last('b')).toEqual(exception(3));
  });

  it('gathers many adds into one write and writes the latest state on close', async () => {
    const store = createExceptionStore({ file, debounceMs: 60_000 });
    for (let t = 1; t <= 100; t++) store.add('a', exception(t));
    store.clear('a');
    store.add('b', exception(101));
    await store.close();
    const written = JSON.parse(readFileSync(file, 'utf8'));
    expect(Object.keys(written.processes)).toEqual(['b']);
  });

  it('keeps a corrupt file aside and starts empty', async () => {
    const store = createExceptionStore({ file, debounceMs: 10 });
    store.add('a', exception(1));
    await store.flush();
    writeFileSync(file, '{"version":1,"processes":{"a":[{"time":"soon"}]}}');
    const fresh = createExceptionStore({ file });
    const read = await fresh.load();
    expect(read.kind).toBe('corrupt');
    expect(fresh.size).toBe(0);
    const names = readdirSync(join(dir, 'state'));
    expect(names.some((name) => name.startsWith('exceptions.json.corrupt-'))).toBe(true);
    expect(names).not.toContain('exceptions.json');
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assign, createActor, setup } from 'xstate';
import { createFileWatcherLogic } from '../../src/actors/watch/file-watcher.js';
import type { WatcherEvent } from '../../src/machines/process/child-protocol.js';
import { createIgnore, globToRegExp, mayRead } from '../../src/supervision/watch-filter.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('watch filter', () => {
  it('turns globs into patterns over relative paths', () => {
    expect(globToRegExp('*.log').test('a.log')).toBe(true);
    expect(globToRegExp('*.log').test('dir/a.log')).toBe(false);
    expect(globToRegExp('src/**/*.test.js').test('src/a/b/c.test.js')).toBe(true);
    expect(globToRegExp('src/**/*.test.js').test('src/c.test.js')).toBe(true);
    expect(globToRegExp('a?c').test('abc')).toBe(true);
    expect(globToRegExp('a.c').test('abc')).toBe(false);
  });

  it('always leaves out node_modules and .git; a glob without "/" matches any component', () => {
    const ignore = createIgnore(['*.log', 'tmp', 'build/out'], '/srv/app');
    expect(ignore('/srv/app/node_modules/x/index.js')).toBe(true);
    expect(ignore('/srv/app/.git/HEAD')).toBe(true);
    expect(ignore('/srv/app/logs/a.log')).toBe(true);
    expect(ignore('/srv/app/deep/tmp/x.js')).toBe(true);
    expect(ignore('/srv/app/build/out')).toBe(true);
    expect(ignore('/srv/app/src/index.js')).toBe(false);
  });

  it('reads permissions as the app’s user would, erring towards not watching', () => {
    const dir = { isDirectory: () => true };
    const user = { uid: 1000, gid: 1000 };
    expect(mayRead({ ...dir, mode: 0o700, uid: 0, gid: 0 }, user)).toBe(false);
    expect(mayRead({ ...dir, mode: 0o755, uid: 0, gid: 0 }, user)).toBe(true);
    expect(mayRead({ ...dir, mode: 0o750, uid: 0, gid: 1000 }, user)).toBe(true);
    expect(mayRead({ ...dir, mode: 0o744, uid: 0, gid: 0 }, user)).toBe(false);
    expect(mayRead({ isDirectory: () => false, mode: 0o600, uid: 1000, gid: 0 }, user)).toBe(true);
  });
});

describe('file watcher actor', () => {
  it('past its cap of entries it watches nothing and says why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'guvw-'));
    dirs.push(dir);
    for (let i = 0; i < 3; i++) {
      mkdirSync(join(dir, `d${i}`));
      for (let j = 0; j < 5; j++) writeFileSync(join(dir, `d${i}`, `f${j}`), '');
    }
    const parent = setup({
      types: { context: {} as { events: WatcherEvent[] }, events: {} as WatcherEvent },
      actors: { watcher: createFileWatcherLogic({ maxEntries: 10 }) },
    }).createMachine({
      context: { events: [] },
      invoke: {
        src: 'watcher',
        input: {
          id: 't',
          watch: { paths: [dir], ignore: [], delayMs: 0 },
          cwd: dir,
          user: null,
          group: null,
        },
      },
      on: {
        '*': { actions: assign({ events: ({ context, event }) => [...context.events, event] }) },
      },
    });
    const actor = createActor(parent).start();
    try {
      const deadline = Date.now() + 15_000;
      while (actor.getSnapshot().context.events.length === 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(actor.getSnapshot().context.events).toEqual([
        {
          type: 'WATCH.FAILED',
          message: `more than 10 files and folders under ${dir}: narrow --watch or add --ignore-watch`,
        },
      ]);
    } finally {
      actor.stop();
    }
  });
});

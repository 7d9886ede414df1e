import type { Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative } from 'node:path';
import { watch } from 'chokidar';
import { fromCallback } from 'xstate';
import type { WatcherEvent, WatcherInput } from '../../machines/process/child-protocol.js';
import { createIgnore, mayRead, maySearch, type Reader } from '../../supervision/watch-filter.js';
import { resolveIdentity } from '../child/identity.js';

/** Past this many files and folders the watch is refused: a huge tree costs the daemon memory. */
export const MAX_WATCHED_ENTRIES = 10_000;

export interface FileWatcherOptions {
  maxEntries?: number;
}

/**
 * The `watcher` actor of the process chart: chokidar in the daemon, reporting only changed paths
 * (never contents). It follows no symlink, and for an app that runs as another user it watches
 * only what that user could read itself, so a watch cannot tell root's secrets (not even their
 * names) to `guv why`. Sends WATCH.READY once in place, WATCH.CHANGED per change, WATCH.FAILED
 * (watching nothing) past `maxEntries` or when a path is out of the user's reach.
 */
export function createFileWatcherLogic(options: FileWatcherOptions = {}) {
  const maxEntries = options.maxEntries ?? MAX_WATCHED_ENTRIES;
  return fromCallback<WatcherEvent, WatcherInput>(({ input, sendBack }) => {
    const settings = input.watch;
    if (settings === null) return;
    let closed = false;
    let close = () => {};
    const fail = (message: string) => {
      close();
      if (!closed) sendBack({ type: 'WATCH.FAILED', message });
      closed = true;
    };
    (async () => {
      const reader = await readerOf(input);
      const roots = await Promise.all(settings.paths.map((path) => reachableRoot(path, reader)));
      if (closed) return;
      const ignored = createIgnore(settings.ignore, input.cwd);
      const seen = new Set<string>();
      let overflow = false;
      const watcher = watch(roots, {
        ignoreInitial: true,
        followSymlinks: false,
        persistent: true,
        ignored: (path: string, stats?: Stats) => {
          if (ignored(path)) return true;
          // A symlink is neither followed nor watched: chokidar reports one as changed each time
          // it sets up, which would restart the app in a loop.
          if (stats?.isSymbolicLink()) return true;
          if (stats !== undefined && reader !== null && !mayRead(stats, reader)) return true;
          if (!seen.has(path)) {
            seen.add(path);
            if (seen.size > maxEntries) overflow = true;
          }
          return overflow;
        },
      });
      close = () => void watcher.close().catch(() => {});
      let ready = false;
      watcher.on('all', (_event, path) => {
        // What chokidar finds while setting up is not a change.
        if (closed || !ready) return;
        const rel = relative(input.cwd, path);
        sendBack({
          type: 'WATCH.CHANGED',
          path: rel.startsWith('..') || isAbsolute(rel) ? path : rel,
        });
      });
      watcher.on('error', (error) => fail(`the file watcher failed: ${(error as Error).message}`));
      watcher.on('ready', () => {
        ready = true;
        if (closed) return;
        if (overflow)
          fail(
            `more than ${maxEntries} files and folders under ${settings.paths.join(', ')}: narrow --watch or add --ignore-watch`,
          );
        else sendBack({ type: 'WATCH.READY' });
      });
      if (closed) close();
    })().catch((error: unknown) => fail((error as Error).message));
    return () => {
      close();
      closed = true;
    };
  });
}

/** The app's uid and gid when it runs as someone else than the daemon; null otherwise. */
async function readerOf(input: WatcherInput): Promise<Reader | null> {
  const identity = await resolveIdentity(input.user, input.group);
  if (identity === null) return null;
  return { uid: identity.uid ?? process.getuid?.() ?? 0, gid: identity.gid };
}

/**
 * A watch root, symlinks resolved, that `reader` can reach: every folder above it searchable,
 * itself readable. Throws a one-line Error otherwise.
 */
async function reachableRoot(path: string, reader: Reader | null): Promise<string> {
  const real = await realpath(path).catch(() => {
    throw new Error(`${path} does not exist`);
  });
  if (reader === null) return real;
  const own = await stat(real);
  if (!mayRead(own, reader)) throw new Error(`the app's user cannot read ${path}`);
  for (let dir = dirname(real); ; dir = dirname(dir)) {
    const info = await stat(dir);
    if (!maySearch(info, reader)) throw new Error(`the app's user cannot reach ${path}`);
    if (dir === dirname(dir)) break;
  }
  return real;
}

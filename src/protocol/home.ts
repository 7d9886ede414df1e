import { mkdirSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { assertOwnFolder, assertSafeParents } from './safe-folders.js';

/** Where one daemon keeps everything. Every path is absolute. */
export interface GuvHome {
  /** The daemon's own configuration (users, remote access). */
  config: string;
  /** Runtime files that die with the machine: the pid/lock file, the socket (when it fits). */
  runtime: string;
  /** The daemon's log and one file per process and stream. */
  logs: string;
  /** Git checkouts of installed apps. */
  apps: string;
  /** Folder of the JSON state files below. */
  state: string;
  /** What the user wants running (dump/restore, autoresume). */
  processesFile: string;
  /** Installed apps. */
  appsFile: string;
  /** Users allowed to reach the daemon remotely, and their secrets. */
  usersFile: string;
  /** Folder holding the socket: `runtime`, or a short private folder under the temp dir. */
  socketDir: string;
  /** The local RPC socket. Always shorter than {@link MAX_SOCKET_PATH_BYTES}. */
  socket: string;
  /** The one-daemon-per-home lock; holds the daemon's pid. */
  pidFile: string;
  /** The daemon's stdout and stderr. */
  daemonLog: string;
}

/** sun_path holds 108 bytes on Linux and 104 on macOS; stay clear of both. */
export const MAX_SOCKET_PATH_BYTES = 100;

const SOCKET_NAME = 'guv.sock';

/**
 * Where the daemon of this user (or of `GUV_HOME`) keeps its files.
 *
 * - `GUV_HOME=/dir`: everything under it (`config/`, `run/`, `logs/`, `apps/`, `state/`).
 * - root: system paths (`/etc/guvnor`, `/var/run/guvnor`, `/var/log/guvnor`, `/var/lib/guvnor`).
 * - anybody else: the XDG base directories, each with a `guv` folder.
 *
 * Pure: reads nothing but its arguments (and the temp dir's name for a long socket path).
 *
 * @example
 * const home = resolveHome({ GUV_HOME: '/tmp/guv-test' });
 * home.socket; // '/tmp/guv-test/run/guv.sock'
 */
export function resolveHome(
  env: NodeJS.ProcessEnv = process.env,
  uid: number | undefined = process.getuid?.(),
): GuvHome {
  const dirs = baseDirs(env, uid);
  const socketDir = socketFolder(dirs.runtime, uid);
  return {
    ...dirs,
    processesFile: join(dirs.state, 'processes.json'),
    appsFile: join(dirs.state, 'apps.json'),
    usersFile: join(dirs.config, 'users.json'),
    socketDir,
    socket: join(socketDir, SOCKET_NAME),
    pidFile: join(dirs.runtime, 'guv.pid'),
    daemonLog: join(dirs.logs, 'daemon.log'),
  };
}

type BaseDirs = Pick<GuvHome, 'config' | 'runtime' | 'logs' | 'apps' | 'state'>;

function baseDirs(env: NodeJS.ProcessEnv, uid: number | undefined): BaseDirs {
  if (env.GUV_HOME) {
    const root = resolve(env.GUV_HOME);
    return {
      config: join(root, 'config'),
      runtime: join(root, 'run'),
      logs: join(root, 'logs'),
      apps: join(root, 'apps'),
      state: join(root, 'state'),
    };
  }
  if (uid === 0) {
    return {
      config: '/etc/guvnor',
      runtime: '/var/run/guvnor',
      logs: '/var/log/guvnor',
      apps: '/var/lib/guvnor/apps',
      state: '/var/lib/guvnor',
    };
  }
  const home = env.HOME || homedir();
  const xdg = (name: string, fallback: string) => {
    const value = env[name];
    // The XDG spec says relative values are invalid and must be ignored.
    return value?.startsWith('/') ? value : join(home, fallback);
  };
  const state = join(xdg('XDG_STATE_HOME', '.local/state'), 'guv');
  const runtimeBase = env.XDG_RUNTIME_DIR?.startsWith('/') ? env.XDG_RUNTIME_DIR : undefined;
  return {
    config: join(xdg('XDG_CONFIG_HOME', '.config'), 'guv'),
    runtime: runtimeBase ? join(runtimeBase, 'guv') : join(state, 'run'),
    logs: join(state, 'logs'),
    apps: join(xdg('XDG_DATA_HOME', '.local/share'), 'guv', 'apps'),
    state,
  };
}

/**
 * A deep home would overflow sun_path, so its socket moves to a short folder under the temp
 * dir named by a hash of the runtime folder (same home, same socket). The folder is private
 * (0700) and {@link ensureHome} refuses one that somebody else owns or may write to.
 */
function socketFolder(runtime: string, uid: number | undefined): string {
  if (Buffer.byteLength(join(runtime, SOCKET_NAME)) < MAX_SOCKET_PATH_BYTES) return runtime;
  return join(tmpdir(), `guv-${uid ?? 'u'}-${hash53(runtime)}`);
}

/**
 * The folders guv keeps its files in, each before those inside it: the five of the layout, the
 * socket folder, and for `GUV_HOME` the home itself (the one folder holding the five).
 */
export function homeFolders(home: GuvHome): string[] {
  const layout = [home.config, home.runtime, home.logs, home.apps, home.state];
  const holders = new Set(layout.map((dir) => dirname(dir)));
  const all = new Set([...(holders.size === 1 ? holders : []), ...layout, home.socketDir]);
  return [...all].sort((a, b) => depth(a) - depth(b));
}

const depth = (dir: string) => dir.split('/').length;

/**
 * Create every folder of `home` that is missing, private (0700), and refuse to use one that
 * this user does not own, that others may write to, or that sits in a folder somebody else
 * could swap it out of: `GUV_HOME_UNSAFE`, naming the folder and what to do. The daemon and the
 * CLI that starts it both run this before reading or writing anything there.
 */
export function ensureHome(home: GuvHome, uid: number | undefined = process.getuid?.()): void {
  for (const dir of homeFolders(home)) {
    if (uid !== undefined) assertSafeParents(dir, [uid]);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (uid !== undefined) assertOwnFolder(dir, [uid], { forbidden: forbiddenBits(home, dir) });
  }
}

/**
 * Before talking to a running daemon: the folders that exist must be this user's or root's (a
 * root daemon may share its socket with a group) and writable by nobody else, so the socket
 * answering is the one the home's owner made, not one somebody planted. Creates nothing.
 */
export function checkHome(home: GuvHome, uid: number | undefined = process.getuid?.()): void {
  if (uid === undefined) return;
  const owners = uid === 0 ? [0] : [uid, 0];
  for (const dir of homeFolders(home)) {
    assertSafeParents(dir, owners);
    assertOwnFolder(dir, owners, { optional: true, forbidden: forbiddenBits(home, dir) });
  }
}

/** The socket's own folder under the shared temp dir stays wholly private (0700). */
function forbiddenBits(home: GuvHome, dir: string): number {
  return dir === home.socketDir && dir !== home.runtime ? 0o077 : 0o022;
}

/** cyrb53: a stable 53-bit string hash, so the client path needs no node:crypto. */
function hash53(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

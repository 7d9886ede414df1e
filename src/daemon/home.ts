import { lstatSync, mkdirSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { GuvError } from '../errors.js';

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
 * (0700) and {@link ensureHome} refuses one that somebody else owns.
 */
function socketFolder(runtime: string, uid: number | undefined): string {
  if (Buffer.byteLength(join(runtime, SOCKET_NAME)) < MAX_SOCKET_PATH_BYTES) return runtime;
  return join(tmpdir(), `guv-${uid ?? 'u'}-${hash53(runtime)}`);
}

/**
 * Create every folder of `home` that is missing, private (0700). Throws
 * `GUV_HOME_UNSAFE` when the socket folder exists but is not a folder owned by this user.
 */
export function ensureHome(home: GuvHome): void {
  for (const dir of [home.config, home.runtime, home.logs, home.apps, home.state]) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
  mkdirSync(dirname(home.daemonLog), { recursive: true, mode: 0o700 });
  if (home.socketDir !== home.runtime) ensurePrivateDir(home.socketDir);
}

function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = lstatSync(dir);
  const uid = process.getuid?.();
  if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid) || (stat.mode & 0o077) !== 0) {
    throw new GuvError(
      'GUV_HOME_UNSAFE',
      `${dir} is not a private folder owned by this user; remove it or set GUV_HOME`,
    );
  }
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

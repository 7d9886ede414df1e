import { chmodSync, rmSync } from 'node:fs';
import { type Server, type Socket, createServer } from 'node:net';
import { join } from 'node:path';
import { acquireDaemonLock, type DaemonLock } from '../daemon/lock.js';
import { GuvError } from '../errors.js';
import { readProcessStartTime } from '../procfs/process-identity.js';
import { createLineSplitter, parseFrame } from '../rpc/frame.js';
import { clearStaleSocket } from '../rpc/stale-socket.js';
import { ExitLog } from './exit-log.js';
import { KeeperFailure, KeptChild } from './kept-child.js';
import {
  KEEPER_FILES,
  KEEPER_LIMITS,
  KEEPER_VERSIONS,
  agreedVersion,
  type KeeperErrorBody,
  type KeeperEvent,
  type KeeperFacts,
  type KeeperReply,
  type KeeperRequestFrame,
  type KeeperVersions,
  type RetireResult,
} from './protocol.js';
import { randomToken, sameToken, writeTokenFile } from './token.js';
import { parseKeeperRequest } from './validate.js';

export interface KeeperOptions {
  /** The home's socket folder (private, 0700): the socket, lock and token live here. */
  socketDir: string;
  /** The home's logs folder: each child's files go under `<logsDir>/<name>/`. */
  logsDir: string;
  /** With no child and no daemon for this long, the keeper exits. */
  idleExitMs: number;
  log(line: string): void;
  /** The protocol versions it speaks; this tree's by default (another guv's in a test). */
  versions?: KeeperVersions;
}

export interface RunningKeeper {
  readonly socketPath: string;
  /** Resolves when the keeper has stopped (asked to, or idle). */
  readonly stopped: Promise<void>;
  stop(killMs: number): Promise<void>;
}

/**
 * The keeper: owns the children a daemon asked it to start (their pipes, IPC channels and log
 * files) so they outlive the daemon. One per home; a daemon connects over a private unix socket
 * and proves with a token it can read (the socket folder is 0700 and the socket 0600, so only
 * the daemon's user gets that far). While a daemon is connected, the keeper relays IPC messages
 * and exits to it; while none is, it keeps the children running, their logs written, and records
 * their exits for the next daemon.
 *
 * @example
 * const keeper = await runKeeper({ socketDir, logsDir, idleExitMs: 60_000, log: console.error });
 * await keeper.stopped;
 */
export async function runKeeper(options: KeeperOptions): Promise<RunningKeeper> {
  const versions = options.versions ?? KEEPER_VERSIONS;
  const socketPath = join(options.socketDir, KEEPER_FILES.socket);
  const tokenPath = join(options.socketDir, KEEPER_FILES.token);
  const lock = await takeLock(join(options.socketDir, KEEPER_FILES.lock));
  const token = randomToken();
  const children = new Map<string, KeptChild>();
  const starting = new Set<string>();
  const exits = new ExitLog(KEEPER_LIMITS.exits);
  let daemon: Socket | null = null;
  let watchingOutput = false;
  let lastActivity = Date.now();
  let stopping: Promise<void> | null = null;
  let resolveStopped: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    resolveStopped = resolve;
  });

  const emit = (event: KeeperEvent): boolean => {
    if (!daemon || daemon.destroyed) return false;
    // A daemon that reads nothing must not grow the keeper: output is skipped past the mark,
    // and a daemon this far behind is cut off (it reconnects and reads the facts).
    if (event.ev === 'output' && daemon.writableLength > KEEPER_LIMITS.eventHighWater) return false;
    if (daemon.writableLength > KEEPER_LIMITS.daemonBacklog) {
      options.log('the daemon does not read its events: disconnected');
      daemon.destroy();
      return false;
    }
    daemon.write(`${JSON.stringify(event)}\n`);
    return true;
  };

  const childDeps = {
    logsDir: options.logsDir,
    emit,
    watchingOutput: () => watchingOutput && daemon !== null,
    exited(child: KeptChild, code: number | null, signal: string | null) {
      const record = exits.add({
        childId: child.childId,
        pid: child.pid,
        code,
        signal,
        at: Date.now(),
        witnessed: daemon !== null,
        meta: child.meta,
      });
      emit({ ev: 'exit', ...record });
      lastActivity = Date.now();
    },
    closed(child: KeptChild) {
      if (children.get(child.childId) === child) children.delete(child.childId);
    },
    onLogError: (error: Error) => options.log(`log file: ${error.message}`),
  };

  function facts(version: number): KeeperFacts {
    return {
      pid: process.pid,
      startTime: readProcessStartTime(process.pid),
      version,
      children: [...children.values()].filter((c) => !c.hasExited).map((c) => c.facts()),
      exits: [...exits.records],
      exitsDropped: exits.dropped,
    };
  }

  function live(childId: string): KeptChild {
    const child = children.get(childId);
    if (!child) throw new KeeperFailure('GUV_PROCESS_NOT_RUNNING', 'no such child');
    return child;
  }

  /** Every child stopped, then the keeper: a daemon that cannot speak with it wants its place. */
  async function retire(killMs: number): Promise<RetireResult> {
    const count = [...children.values()].filter((child) => !child.hasExited).length;
    options.log(`a daemon retires this keeper: stopping its ${count} children`);
    await stop(killMs);
    return { pid: process.pid, children: count };
  }

  /** `version`: the one agreed in this connection's hello. */
  async function handle(request: KeeperRequestFrame, version: number): Promise<unknown> {
    switch (request.op) {
      case 'hello':
        throw new KeeperFailure('GUV_KEEPER_BAD_REQUEST', 'already said hello');
      case 'retire':
        if (!sameToken(request.token, token)) {
          throw new KeeperFailure('GUV_KEEPER_UNREACHABLE', 'refused');
        }
        return retire(request.killMs);
      case 'spawn': {
        const existing = children.get(request.childId);
        if ((existing && !existing.hasExited) || starting.has(request.childId)) {
          throw new KeeperFailure('GUV_KEEPER_CHILD_EXISTS', 'a child runs under this id');
        }
        if (children.size >= KEEPER_LIMITS.children) {
          throw new KeeperFailure('GUV_KEEPER_BAD_REQUEST', 'too many children');
        }
        if (stopping) throw new KeeperFailure('GUV_KEEPER_BAD_REQUEST', 'the keeper is stopping');
        const child = new KeptChild(request, childDeps);
        // Two spawns of one id in flight must not both start.
        starting.add(request.childId);
        try {
          await child.start();
        } finally {
          starting.delete(request.childId);
        }
        children.set(request.childId, child);
        return child.facts();
      }
      case 'send':
        live(request.childId).send(request.message);
        return true;
      case 'stdin':
        return live(request.childId).writeStdin(request.data, request.end);
      case 'signal':
        return live(request.childId).signal(request.signal);
      case 'note':
        live(request.childId).meta = request.meta;
        return true;
      case 'facts':
        return facts(version);
      case 'ack':
        exits.ack(request.upTo);
        return true;
      case 'watchOutput':
        watchingOutput = request.on;
        return true;
      case 'shutdown':
        await stop(request.killMs);
        return true;
    }
  }

  function serve(socket: Socket): void {
    let greeted = false;
    let version = versions.newest;
    let refused = false;
    let inFlight = 0;
    // Said once to a stranger, then nothing more is read from it.
    const refuse = (frame: KeeperReply) => {
      refused = true;
      reply(frame);
      socket.end();
    };
    const reply = (frame: KeeperReply) => {
      if (!socket.destroyed) socket.write(`${JSON.stringify(frame)}\n`);
    };
    const helloTimer = setTimeout(() => socket.destroy(), KEEPER_LIMITS.helloMs);
    const splitter = createLineSplitter(
      (line) => {
        if (refused) return;
        const parsed = parseKeeperRequest(parseFrame(line));
        if (!parsed.ok) {
          const frame: KeeperReply = {
            re: parsed.id,
            ok: false,
            error: { code: 'GUV_KEEPER_BAD_REQUEST', message: parsed.reason },
          };
          // Before hello, nothing more is read from a stranger.
          if (greeted) reply(frame);
          else refuse(frame);
          return;
        }
        const request = parsed.request;
        if (!greeted) {
          const proven =
            (request.op === 'hello' || request.op === 'retire') && sameToken(request.token, token);
          if (!proven) {
            const error = { code: 'GUV_KEEPER_UNREACHABLE', message: 'refused' };
            return refuse({ re: request.id, ok: false, error });
          }
          if (request.op === 'retire') {
            refused = true;
            clearTimeout(helloTimer);
            void retire(request.killMs).then(
              (result) => {
                reply({ re: request.id, ok: true, result });
                socket.end(finish);
              },
              (error: unknown) => {
                reply({ re: request.id, ok: false, error: errorBody(error) });
                socket.end();
              },
            );
            return;
          }
          const agreed = agreedVersion(versions, {
            oldest: request.oldest,
            newest: request.version,
          });
          if (agreed === null) {
            const message = `the keeper speaks protocol versions ${versions.oldest} to ${versions.newest}, the daemon ${request.oldest} to ${request.version}`;
            options.log(`a daemon refused: ${message}`);
            return refuse({
              re: request.id,
              ok: false,
              error: { code: 'GUV_KEEPER_VERSION', message },
            });
          }
          version = agreed;
          greeted = true;
          clearTimeout(helloTimer);
          // The newest daemon wins: an older connection is a daemon that died or hangs.
          if (daemon && daemon !== socket) daemon.destroy();
          daemon = socket;
          watchingOutput = false;
          options.log(`a daemon connected; ${children.size} children`);
          reply({ re: request.id, ok: true, result: facts(version) });
          return;
        }
        if (inFlight >= KEEPER_LIMITS.inFlight) {
          reply({
            re: request.id,
            ok: false,
            error: { code: 'GUV_KEEPER_BAD_REQUEST', message: 'too many requests' },
          });
          return;
        }
        inFlight++;
        handle(request, version)
          .then(
            (result) => {
              reply({ re: request.id, ok: true, result: result ?? null });
              // The answer to shutdown is the last word: sent, then the keeper is gone.
              if (request.op === 'shutdown' || request.op === 'retire') socket.end(finish);
            },
            (error: unknown) => reply({ re: request.id, ok: false, error: errorBody(error) }),
          )
          .finally(() => inFlight--);
      },
      () =>
        refuse({
          re: null,
          ok: false,
          error: { code: 'GUV_KEEPER_BAD_REQUEST', message: 'frame too large' },
        }),
      KEEPER_LIMITS.requestFrame,
    );
    socket.on('data', (chunk: Buffer) => splitter.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(helloTimer);
      if (daemon === socket) {
        daemon = null;
        watchingOutput = false;
        lastActivity = Date.now();
        options.log(`the daemon went away; ${children.size} children kept`);
      }
    });
  }

  const server: Server = createServer(serve);
  await clearStaleSocket(socketPath).catch((error: unknown) => {
    lock.release();
    if (error instanceof GuvError && error.code === 'GUV_DAEMON_RUNNING') {
      throw new GuvError('GUV_KEEPER_RUNNING', `a keeper already answers on ${socketPath}`);
    }
    throw error;
  });
  // Created private from the start: no moment where another user could connect.
  const umask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } finally {
    process.umask(umask);
  }
  chmodSync(socketPath, 0o600);
  writeTokenFile(tokenPath, token);
  options.log(`keeper ${process.pid} listening on ${socketPath}`);

  const idleTimer = setInterval(
    () => {
      if (daemon || children.size > 0) {
        lastActivity = Date.now();
        return;
      }
      if (Date.now() - lastActivity >= options.idleExitMs) {
        options.log('no children and no daemon: exiting');
        void stop(0);
      }
    },
    Math.min(1000, Math.max(50, options.idleExitMs / 4)),
  );

  function finish(): void {
    resolveStopped();
  }

  function stop(killMs: number): Promise<void> {
    stopping ??= (async () => {
      clearInterval(idleTimer);
      await stopChildren(children, killMs);
      server.close();
      rmSync(tokenPath, { force: true });
      rmSync(socketPath, { force: true });
      lock.release();
      options.log('keeper stopped');
      // Asked by a daemon, the keeper finishes once its answer is out (or a second later).
      setTimeout(finish, 1000).unref();
    })();
    return stopping;
  }

  return { socketPath, stopped, stop };
}

/** SIGTERM to every child's group, SIGKILL to what is left after `killMs`, then wait for closes. */
async function stopChildren(children: Map<string, KeptChild>, killMs: number): Promise<void> {
  const all = [...children.values()];
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  for (const child of all) if (!child.hasExited) child.signal(killMs > 0 ? 'SIGTERM' : 'SIGKILL');
  const deadline = Date.now() + killMs;
  while (all.some((child) => !child.hasExited) && Date.now() < deadline) await sleep(20);
  for (const child of all) child.signal('SIGKILL');
  // Pipes held open by a grandchild that ignores everything must not keep us forever.
  const closed = Date.now() + 2000;
  while (children.size > 0 && Date.now() < closed) await sleep(20);
}

async function takeLock(path: string): Promise<DaemonLock> {
  try {
    return await acquireDaemonLock(path, { timeoutMs: 2000 });
  } catch (error) {
    if (error instanceof GuvError && error.code === 'GUV_DAEMON_RUNNING') {
      throw new GuvError('GUV_KEEPER_RUNNING', `a keeper already runs for this home (${path})`, {
        cause: error,
      });
    }
    throw error;
  }
}

function errorBody(error: unknown): KeeperErrorBody {
  if (error instanceof KeeperFailure) {
    return {
      code: error.code,
      message: error.message,
      ...(error.cause ? { cause: error.cause } : {}),
    };
  }
  return { code: 'GUV_INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

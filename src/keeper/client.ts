import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync } from 'node:fs';
import { type Socket, createConnection } from 'node:net';
import { join } from 'node:path';
import { GuvError } from '../errors.js';
import { createLineSplitter, parseFrame } from '../rpc/frame.js';
import {
  type ChildFacts,
  KEEPER_FILES,
  KEEPER_LIMITS,
  KEEPER_VERSIONS,
  type KeeperErrorBody,
  type KeeperEvent,
  type KeeperFacts,
  type KeeperRequest,
  type KeeperSignal,
  type KeeperSpawnPlan,
  type KeeperVersions,
  type LogTarget,
  type RetireResult,
} from './protocol.js';

/** What one child's owner hears from the keeper about it. */
export type ChildListener = (event: KeeperEvent) => void;

/** A refusal from the keeper, with its code and, for a failed spawn, the OS's error. */
export class KeeperRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    override readonly cause?: KeeperErrorBody['cause'],
  ) {
    super(message);
    this.name = 'KeeperRequestError';
  }
}

export interface ConnectKeeperOptions {
  /** Give up connecting (and waiting for `hello`'s answer) after this long. */
  timeoutMs?: number;
  /** Requests unanswered after this long reject (a keeper that hangs must not hang the daemon). */
  requestTimeoutMs?: number;
  /** The protocol versions offered in `hello`; this tree's by default. */
  versions?: KeeperVersions;
}

/**
 * The daemon's side of the keeper's socket: requests with replies, and the keeper's events
 * dispatched to the owner of each child id (the child actors).
 *
 * @example
 * const keeper = await connectKeeper(home.socketDir);
 * const facts = keeper.facts; // what the keeper ran while no daemon was there
 * keeper.listen('web', (event) => …);
 * const child = await keeper.spawn('web', plan, logs, { restarts: 0 });
 */
export class KeeperClient {
  /** What the keeper said in answer to `hello`: its children and the exits nobody heard. */
  readonly facts: KeeperFacts;
  readonly #socket: Socket;
  readonly #requestTimeoutMs: number;
  readonly #pending = new Map<
    number,
    { resolve(v: unknown): void; reject(e: Error): void; timer: NodeJS.Timeout }
  >();
  readonly #listeners = new Map<string, ChildListener>();
  readonly #closeListeners = new Set<() => void>();
  /**
   * Exits of children nobody listens to yet: a kept child may die between `hello` and the
   * moment its chart is rebuilt; its chart must still hear it.
   */
  readonly #unheardExits: Array<Extract<KeeperEvent, { ev: 'exit' }>> = [];
  /**
   * Bytes of `send` requests per child the keeper has not answered yet: a child (or a keeper)
   * that reads nothing must not grow the daemon's socket buffer, so its owner stops sending
   * past a cap (see {@link unansweredBytes}).
   */
  readonly #unanswered = new Map<string, number>();
  #nextId = 1;
  #closed = false;

  /** Use {@link connectKeeper}. */
  constructor(socket: Socket, facts: KeeperFacts, nextId: number, requestTimeoutMs: number) {
    this.#socket = socket;
    this.facts = facts;
    this.#nextId = nextId;
    this.#requestTimeoutMs = requestTimeoutMs;
    // Exits no daemon heard: each goes to its child's owner once it listens (who checks the pid).
    const unheard = facts.exits.slice(-KEEPER_LIMITS.exits);
    this.#unheardExits.push(...unheard.map((exit) => ({ ev: 'exit' as const, ...exit })));
  }

  get connected(): boolean {
    return !this.#closed;
  }

  /** Events about `childId` go to `listener` (one owner per child); returns the unsubscribe. */
  listen(childId: string, listener: ChildListener): () => void {
    this.#listeners.set(childId, listener);
    for (const exit of this.#unheardExits.filter((e) => e.childId === childId)) {
      this.#unheardExits.splice(this.#unheardExits.indexOf(exit), 1);
      listener(exit);
    }
    return () => {
      if (this.#listeners.get(childId) === listener) this.#listeners.delete(childId);
    };
  }

  /** Called once when the connection closes; returns the unsubscribe. */
  onClose(listener: () => void): () => void {
    this.#closeListeners.add(listener);
    return () => this.#closeListeners.delete(listener);
  }

  spawn(
    childId: string,
    plan: KeeperSpawnPlan,
    logs: LogTarget,
    meta: unknown,
  ): Promise<ChildFacts> {
    return this.#request({ op: 'spawn', childId, plan, logs, meta }) as Promise<ChildFacts>;
  }

  send(childId: string, message: unknown): Promise<unknown> {
    return this.#request({ op: 'send', childId, message }, this.#requestTimeoutMs, childId);
  }

  /** Bytes sent to `childId` that the keeper has not yet passed on (or refused). */
  unansweredBytes(childId: string): number {
    return this.#unanswered.get(childId) ?? 0;
  }

  stdin(childId: string, data: string, end = false): Promise<unknown> {
    return this.#request({ op: 'stdin', childId, data, end });
  }

  signal(childId: string, signal: KeeperSignal): Promise<unknown> {
    return this.#request({ op: 'signal', childId, signal });
  }

  note(childId: string, meta: unknown): Promise<unknown> {
    return this.#request({ op: 'note', childId, meta });
  }

  readFacts(): Promise<KeeperFacts> {
    return this.#request({ op: 'facts' }) as Promise<KeeperFacts>;
  }

  /** The daemon has acted on every exit up to `seq`: the keeper may forget them. */
  ack(upTo: number): Promise<unknown> {
    return this.#request({ op: 'ack', upTo });
  }

  watchOutput(on: boolean): Promise<unknown> {
    return this.#request({ op: 'watchOutput', on });
  }

  /** Stops every child (SIGTERM, SIGKILL after `killMs`) and the keeper itself (`guv kill`). */
  shutdown(killMs: number): Promise<unknown> {
    return this.#request({ op: 'shutdown', killMs }, killMs + 10_000);
  }

  /** Closes the connection; the keeper keeps its children. */
  close(): void {
    this.#socket.destroy();
  }

  /** @internal fed by connectKeeper's line splitter. */
  receive(frame: unknown): void {
    if (typeof frame !== 'object' || frame === null) return;
    const value = frame as Record<string, unknown>;
    if (typeof value.ev === 'string') {
      const event = value as unknown as KeeperEvent;
      if (typeof event.childId !== 'string') return;
      const listener = this.#listeners.get(event.childId);
      if (listener) listener(event);
      else if (event.ev === 'exit') {
        this.#unheardExits.push(event);
        if (this.#unheardExits.length > KEEPER_LIMITS.exits) this.#unheardExits.shift();
      }
      return;
    }
    const pending = typeof value.re === 'number' ? this.#pending.get(value.re) : undefined;
    if (!pending) return;
    this.#pending.delete(value.re as number);
    clearTimeout(pending.timer);
    if (value.ok === true) pending.resolve(value.result);
    else pending.reject(toError(value.error));
  }

  /** @internal */
  closed(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const { reject, timer } of this.#pending.values()) {
      clearTimeout(timer);
      reject(new GuvError('GUV_KEEPER_UNREACHABLE', 'the connection to the keeper closed'));
    }
    this.#pending.clear();
    for (const listener of this.#closeListeners) listener();
  }

  #request(
    request: KeeperRequest,
    timeoutMs = this.#requestTimeoutMs,
    countedFor?: string,
  ): Promise<unknown> {
    if (this.#closed) {
      return Promise.reject(new GuvError('GUV_KEEPER_UNREACHABLE', 'not connected to the keeper'));
    }
    const id = this.#nextId++;
    const frame = `${JSON.stringify({ id, ...request })}\n`;
    if (countedFor !== undefined) this.#count(countedFor, frame.length);
    const settled = () => {
      if (countedFor !== undefined) this.#count(countedFor, -frame.length);
    };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        settled();
        reject(
          new GuvError(
            'GUV_KEEPER_UNREACHABLE',
            `the keeper did not answer ${request.op} in ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.#pending.set(id, {
        resolve: (value) => {
          settled();
          resolve(value);
        },
        reject: (error) => {
          settled();
          reject(error);
        },
        timer,
      });
      this.#socket.write(frame);
    });
  }

  #count(childId: string, bytes: number): void {
    const total = (this.#unanswered.get(childId) ?? 0) + bytes;
    if (total > 0) this.#unanswered.set(childId, total);
    else this.#unanswered.delete(childId);
  }
}

/**
 * Connects to the keeper of the home whose socket folder is `socketDir`, proves it may (the
 * token), and resolves with the client and the keeper's facts (`facts.version`: the protocol
 * version both agreed on). Rejects with GUV_KEEPER_VERSION when the keeper speaks no version of
 * `versions` (see {@link retireKeeper}), GUV_KEEPER_UNREACHABLE when none answers or it refuses.
 */
export async function connectKeeper(
  socketDir: string,
  {
    timeoutMs = 5000,
    requestTimeoutMs = 30_000,
    versions = KEEPER_VERSIONS,
  }: ConnectKeeperOptions = {},
): Promise<KeeperClient> {
  const token = readToken(join(socketDir, KEEPER_FILES.token));
  const socketPath = join(socketDir, KEEPER_FILES.socket);
  checkOwned(socketPath);
  return new Promise((resolve, reject) => {
    let client: KeeperClient | null = null;
    const socket = createConnection(socketPath);
    const fail = (
      message: string,
      cause?: unknown,
      code: 'GUV_KEEPER_UNREACHABLE' | 'GUV_KEEPER_VERSION' = 'GUV_KEEPER_UNREACHABLE',
    ) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new GuvError(code, message, { cause }));
    };
    const timer = setTimeout(
      () => fail(`the keeper did not answer within ${timeoutMs} ms`),
      timeoutMs,
    );
    const splitter = createLineSplitter(
      (line) => {
        const frame = parseFrame(line);
        if (client) return client.receive(frame);
        const reply = frame as { re?: unknown; ok?: unknown; result?: unknown; error?: unknown };
        if (reply?.re !== 0) return;
        if (reply.ok !== true) {
          const refusal = toError(reply.error);
          // The keeper's words name both ranges.
          if (refusal.code === 'GUV_KEEPER_VERSION') {
            return fail(refusal.message, undefined, 'GUV_KEEPER_VERSION');
          }
          return fail(`the keeper refused: ${refusal.message}`);
        }
        const facts = reply.result as KeeperFacts;
        const version = facts?.version;
        if (
          !Number.isSafeInteger(version) ||
          version < versions.oldest ||
          version > versions.newest
        ) {
          const message = `the keeper answered in protocol version ${String(version)}, not one of ${versions.oldest} to ${versions.newest}`;
          return fail(message, undefined, 'GUV_KEEPER_VERSION');
        }
        clearTimeout(timer);
        client = new KeeperClient(socket, facts, 1, requestTimeoutMs);
        resolve(client);
      },
      () => {
        if (client) socket.destroy();
        else fail('the keeper sent a frame too large');
      },
      KEEPER_LIMITS.replyFrame,
    );
    socket.on('data', (chunk: Buffer) => splitter.push(chunk));
    socket.on('error', (error) => {
      if (!client) fail(`cannot connect to the keeper at ${socketPath}`, error);
    });
    socket.on('close', () => {
      if (client) client.closed();
      else fail('the keeper closed the connection');
    });
    const hello = { id: 0, op: 'hello', token, version: versions.newest, oldest: versions.oldest };
    socket.write(`${JSON.stringify(hello)}\n`);
  });
}

export interface RetireKeeperOptions {
  /** Between SIGTERM and SIGKILL to each of its children. */
  killMs: number;
  /** Give up waiting for its answer after this long (the default leaves `killMs` plus 15 s). */
  timeoutMs?: number;
}

/**
 * Asks the home's keeper, whatever protocol version it speaks, to stop its children and exit
 * (`retire`, taken with the token instead of a hello). Resolves once it has: its pid and how
 * many children it stopped. The daemon retires a keeper it cannot speak with, then starts its
 * own; the apps the keeper ran are started again by the daemon's restore.
 */
export async function retireKeeper(
  socketDir: string,
  { killMs, timeoutMs = killMs + 15_000 }: RetireKeeperOptions,
): Promise<RetireResult> {
  const token = readToken(join(socketDir, KEEPER_FILES.token));
  const socketPath = join(socketDir, KEEPER_FILES.socket);
  checkOwned(socketPath);
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    let answer: RetireResult | null = null;
    const fail = (message: string, cause?: unknown) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new GuvError('GUV_KEEPER_UNREACHABLE', message, { cause }));
    };
    const timer = setTimeout(
      () => fail(`the keeper did not retire within ${timeoutMs} ms`),
      timeoutMs,
    );
    const splitter = createLineSplitter(
      (line) => {
        const reply = parseFrame(line) as { re?: unknown; ok?: unknown; result?: unknown };
        if (answer || reply?.re !== 0) return;
        if (reply.ok !== true) {
          return fail(
            `the keeper refused to retire: ${toError((reply as { error?: unknown }).error).message}`,
          );
        }
        const result = (reply.result ?? {}) as Partial<RetireResult>;
        answer = {
          pid: Number.isSafeInteger(result.pid) ? (result.pid as number) : 0,
          children: Number.isSafeInteger(result.children) ? (result.children as number) : 0,
        };
      },
      () => fail('the keeper sent a frame too large'),
      64 * 1024,
    );
    socket.on('data', (chunk: Buffer) => splitter.push(chunk));
    socket.on('error', (error) => {
      if (!answer) fail(`cannot connect to the keeper at ${socketPath}`, error);
    });
    // Its answer comes once its children are stopped; the close once it let go of the home.
    socket.on('close', () => {
      clearTimeout(timer);
      if (answer) resolve(answer);
      else fail('the keeper closed the connection before it retired');
    });
    socket.write(`${JSON.stringify({ id: 0, op: 'retire', token, killMs })}\n`);
  });
}

/** The token, from a regular file of ours nobody else may read (never through a symlink). */
function readToken(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (cause) {
    throw new GuvError('GUV_KEEPER_UNREACHABLE', `no keeper token at ${path}`, { cause });
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.uid !== process.getuid?.() || (stat.mode & 0o077) !== 0) {
      throw new GuvError('GUV_KEEPER_UNREACHABLE', `${path} is not a private file of this user`);
    }
    return readFileSync(fd, 'utf8').slice(0, 256).trim();
  } finally {
    closeSync(fd);
  }
}

/** The socket must be ours: never hand the token to a listener somebody else put there. */
function checkOwned(socketPath: string): void {
  let owner: number;
  try {
    owner = lstatSync(socketPath).uid;
  } catch (cause) {
    throw new GuvError('GUV_KEEPER_UNREACHABLE', `no keeper socket at ${socketPath}`, { cause });
  }
  if (owner !== process.getuid?.()) {
    throw new GuvError('GUV_KEEPER_UNREACHABLE', `${socketPath} belongs to uid ${owner}`);
  }
}

function toError(body: unknown): KeeperRequestError {
  const error = (body ?? {}) as Partial<KeeperErrorBody>;
  return new KeeperRequestError(
    typeof error.code === 'string' ? error.code : 'GUV_INTERNAL',
    typeof error.message === 'string' ? error.message : 'the keeper refused',
    error.cause,
  );
}

import type { ChildProcess } from 'node:child_process';
import { GuvError } from '../../errors.js';
import type { SerializedError } from '../../types/info.js';
import { type SupervisorBody, WRAPPER_CMD, WRAPPER_LIMITS } from '../wrapper/protocol.js';
import { ipcBacklog } from './ipc-guard.js';
import { killGroup } from './kill-group.js';
import { PendingReplies, type Reply, type RequestBody } from './pending-replies.js';

/**
 * What a handle needs of a child: a ChildProcess the daemon spawned (see {@link processChannel}),
 * or a child the keeper owns, reached through its socket.
 */
export interface ChildChannel {
  /** Whether the child's IPC channel is open. */
  readonly connected: boolean;
  /** Posts one IPC message; a failed write shows up as the child's exit. */
  send(message: object): void;
  /** Writes to the child's stdin; false when it is closed or full. */
  write(data: string | Buffer): boolean;
  end(): void;
  /** Bytes sent over IPC that the child has not read yet (0 when unknown). */
  backlog(): number;
}

/** The channel of a ChildProcess this process spawned. */
export function processChannel(child: ChildProcess): ChildChannel {
  return {
    get connected() {
      return child.connected;
    },
    send(message) {
      child.send(message, () => {});
    },
    write(data) {
      const stdin = child.stdin;
      if (!stdin || stdin.destroyed) return false;
      return stdin.write(data);
    },
    end() {
      child.stdin?.end();
    },
    backlog: () => ipcBacklog(child),
  };
}

/**
 * The daemon's grip on one live child: talk to its wrapper, write to its stdin, signal its group.
 * Created by the child actor and handed to `deps.register`.
 */
export class ChildHandle {
  readonly #child: ChildChannel;
  readonly #pending = new PendingReplies();

  constructor(
    readonly id: string,
    readonly pid: number,
    /** False for executables run without the wrapper: no IPC. */
    readonly wrapped: boolean,
    child: ChildChannel,
  ) {
    this.#child = child;
  }

  /** Emits `event` with `args` on `process` in the child; resolves with whether it had listeners. */
  send(event: string, args: unknown[] = []): Promise<boolean> {
    return this.#request({ type: 'send', event, args }) as Promise<boolean>;
  }

  gc(): Promise<void> {
    return this.#request({ type: 'gc' }).then(() => undefined);
  }

  /** Writes a heap snapshot to `path` in the child; resolves with the path written. */
  heapdump(path: string): Promise<string> {
    return this.#request({ type: 'heapdump', path }) as Promise<string>;
  }

  /** Answers the child's `config:request` with the same `requestId`. */
  respondConfig(requestId: number, value: unknown, error?: SerializedError): void {
    this.#post({ type: 'config:response', requestId, value, ...(error ? { error } : {}) });
  }

  /** Asks the wrapper for a graceful stop (see the wrapper's `shutdown`). */
  shutdown(timeoutMs: number): void {
    this.#post({ type: 'shutdown', timeoutMs });
  }

  write(data: string | Buffer): boolean {
    return this.#child.write(data);
  }

  endInput(): void {
    this.#child.end();
  }

  /** Signals the child's whole process group; false when it is gone. */
  signal(signal: NodeJS.Signals): boolean {
    return killGroup(this.pid, signal);
  }

  /** More than an IPC message's cap sent to the child and not read: send it nothing more. */
  get backedUp(): boolean {
    return this.#child.backlog() > WRAPPER_LIMITS.ipcMessage;
  }

  /** Called by the child actor with each `reply` from the wrapper. */
  settle(reply: Reply): void {
    this.#pending.settle(reply);
  }

  /** Called by the child actor when the child has exited. */
  close(): void {
    this.#pending.rejectAll(`process ${this.id}`);
  }

  #request(body: RequestBody): Promise<unknown> {
    return this.#pending.request(body, (message) => this.#post(message));
  }

  #post(message: SupervisorBody): GuvError | null {
    if (!this.wrapped) {
      return new GuvError('GUV_NO_IPC', `process ${this.id} runs without guv's wrapper`);
    }
    if (!this.#child.connected) {
      return new GuvError('GUV_PROCESS_NOT_RUNNING', `process ${this.id} is not running`);
    }
    if (this.backedUp) {
      return new GuvError('GUV_CHILD_NOT_READING', `process ${this.id} does not read its messages`);
    }
    // A failed write (child just died) surfaces as its exit; nothing to do here.
    this.#child.send({ cmd: WRAPPER_CMD, ...message });
    return null;
  }
}

import type { ChildProcess } from 'node:child_process';
import { GuvError } from '../../errors.js';
import type { SerializedError } from '../../types/info.js';
import { type SupervisorBody, WRAPPER_CMD, WRAPPER_LIMITS } from '../wrapper/protocol.js';
import { ipcBacklog } from './ipc-guard.js';
import { killGroup } from './kill-group.js';
import { PendingReplies, type Reply, type RequestBody } from './pending-replies.js';

/**
 * The daemon's grip on one live child: talk to its wrapper, write to its stdin, signal its group.
 * Created by the child actor and handed to `deps.register`.
 */
export class ChildHandle {
  readonly #child: ChildProcess;
  readonly #pending = new PendingReplies();

  constructor(
    readonly id: string,
    readonly pid: number,
    /** False for executables run without the wrapper: no IPC. */
    readonly wrapped: boolean,
    child: ChildProcess,
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
    const stdin = this.#child.stdin;
    if (!stdin || stdin.destroyed) return false;
    return stdin.write(data);
  }

  endInput(): void {
    this.#child.stdin?.end();
  }

  /** Signals the child's whole process group; false when it is gone. */
  signal(signal: NodeJS.Signals): boolean {
    return killGroup(this.pid, signal);
  }

  /** More than an IPC message's cap sent to the child and not read: send it nothing more. */
  get backedUp(): boolean {
    return ipcBacklog(this.#child) > WRAPPER_LIMITS.ipcMessage;
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
    this.#child.send({ cmd: WRAPPER_CMD, ...message }, () => {});
    return null;
  }
}

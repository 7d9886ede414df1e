import { GuvError } from '../../errors.js';
import type { SupervisorBody, WrapperBody } from '../wrapper/protocol.js';

export type Reply = Extract<WrapperBody, { type: 'reply' }>;
type Request = Extract<SupervisorBody, { type: 'send' | 'gc' | 'heapdump' }>;
/** A request without its id, as callers write it. */
export type RequestBody<T = Request> = T extends Request ? Omit<T, 'requestId'> : never;

/**
 * The requests one wrapper has not answered yet (send, gc, heapdump), by request id. Shared by
 * a single process's ChildHandle and a cluster's workers, whose messages go through their manager.
 */
export class PendingReplies {
  readonly #pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  #nextRequestId = 0;

  /**
   * Sends `body` with a fresh request id through `post` (which returns an error when it cannot
   * send); resolves with the wrapper's result.
   */
  request(body: RequestBody, post: (body: SupervisorBody) => GuvError | null): Promise<unknown> {
    const requestId = ++this.#nextRequestId;
    return new Promise((resolve, reject) => {
      this.#pending.set(requestId, { resolve, reject });
      const failed = post({ ...body, requestId } as SupervisorBody);
      if (failed) {
        this.#pending.delete(requestId);
        reject(failed);
      }
    });
  }

  /** Settles the request a `reply` answers. */
  settle(reply: Reply): void {
    const pending = this.#pending.get(reply.requestId);
    if (!pending) return;
    this.#pending.delete(reply.requestId);
    if (reply.ok) pending.resolve(reply.result);
    else pending.reject(Object.assign(new Error(reply.error.message), reply.error));
  }

  /** The wrapper is gone: nothing will answer. */
  rejectAll(what: string): void {
    for (const { reject } of this.#pending.values()) {
      reject(new GuvError('GUV_CHILD_EXITED', `${what} exited before answering`));
    }
    this.#pending.clear();
  }
}

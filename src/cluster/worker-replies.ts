import { PendingReplies, type Reply, type RequestBody } from '../actors/child/pending-replies.js';
import { GuvError } from '../errors.js';
import type { ManagerLink } from './manager-link.js';

/**
 * Requests to a cluster's workers' wrappers (send, gc, heapdump) not answered yet, by worker
 * id; they travel through the manager.
 */
export class WorkerReplies {
  readonly #link: ManagerLink;
  readonly #name: string;
  readonly #pending = new Map<string, PendingReplies>();

  constructor(link: ManagerLink, clusterName: string) {
    this.#link = link;
    this.#name = clusterName;
  }

  /** Asks one worker's wrapper; resolves with its answer. */
  request(workerId: string, body: RequestBody): Promise<unknown> {
    let replies = this.#pending.get(workerId);
    if (!replies) {
      replies = new PendingReplies();
      this.#pending.set(workerId, replies);
    }
    return replies.request(body, (message) =>
      this.#link.post(workerId, message)
        ? null
        : new GuvError('GUV_PROCESS_NOT_RUNNING', `${this.#name} is not running`),
    );
  }

  settle(workerId: string, reply: Reply): void {
    this.#pending.get(workerId)?.settle(reply);
  }

  /** The worker exited or never started: its unanswered requests never will be. */
  gone(workerId: string): void {
    this.#pending.get(workerId)?.rejectAll(`worker ${workerId}`);
    this.#pending.delete(workerId);
  }
}

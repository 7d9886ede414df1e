import type { KeeperClient } from './client.js';

/** What an actor that runs something under the keeper does as its connection comes and goes. */
export interface KeeperFollower {
  /** The actor was stopped: a connection reached now is not taken. */
  stopped(): boolean;
  /** The connection it takes, and the unsubscribe of its close (already subscribed). */
  bound(client: KeeperClient, offClose: () => void): void;
  /** The connection it took closed. */
  closed(client: KeeperClient): void;
  /** The daemon did not reach a keeper. */
  failed(error: unknown): void;
}

/**
 * Takes the keeper's connection, now or once the daemon has reached it (the last one died),
 * subscribes to its close, then runs `then` with it; a stopped follower takes nothing.
 *
 * @example
 * followKeeper(deps.keeper(), follower, (client) => client.listen(id, onEvent));
 */
export function followKeeper(
  reached: KeeperClient | Promise<KeeperClient>,
  follower: KeeperFollower,
  then: (client: KeeperClient) => void,
): void {
  const bind = (client: KeeperClient) => {
    if (follower.stopped()) return;
    const offClose = client.onClose(() => follower.closed(client));
    follower.bound(client, offClose);
    then(client);
  };
  if (reached instanceof Promise) reached.then(bind, (error: unknown) => follower.failed(error));
  else bind(reached);
}

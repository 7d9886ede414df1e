import { connect, type GuvClient } from '../client/api.js';
import { remote } from '../remote/remote-client.js';
import type { HostEntry } from './config.js';

/** Opens a client on one host of the dashboard's config. */
export type HostFactory = (entry: HostEntry) => Promise<GuvClient>;

/**
 * Local hosts through their home's socket; remote hosts through guv's TLS RPC, which returns
 * the same GuvClient, so nothing else in the dashboard tells them apart.
 */
export const connectHost: HostFactory = async (entry) => {
  if ('host' in entry) {
    const { host, port, user, secret, fingerprint } = entry;
    return remote({ host, port, user, secret, fingerprint, timeoutMs: 30_000 });
  }
  return connect({ ...(entry.home ? { home: entry.home } : {}), timeoutMs: 30_000 });
};

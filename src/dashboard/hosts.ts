import { connect, type GuvClient } from '../client/api.js';
import { GuvError } from '../errors.js';
import type { HostEntry } from './config.js';

/** Opens a client on one host of the dashboard's config. */
export type HostFactory = (entry: HostEntry) => Promise<GuvClient>;

/**
 * Local hosts through their home's socket; remote hosts through guv's TLS RPC, which returns
 * the same GuvClient, so nothing else in the dashboard tells them apart.
 */
export const connectHost: HostFactory = async (entry) => {
  if ('host' in entry) {
    // LEAD: plug remote() in here once src/remote lands:
    //   return remote({ host: entry.host, port: entry.port, user: entry.user,
    //                   secret: entry.secret, fingerprint: entry.fingerprint });
    throw new GuvError(
      'GUV_DASHBOARD_REMOTE_UNAVAILABLE',
      `host "${entry.name}" is remote (${entry.host}:${entry.port}); this guv cannot reach remote hosts yet`,
    );
  }
  return connect({ ...(entry.home ? { home: entry.home } : {}), timeoutMs: 30_000 });
};

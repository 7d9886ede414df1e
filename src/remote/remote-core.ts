import { join } from 'node:path';
import { GuvError } from '../errors.js';
import type { MethodHandlers, RemoteMethodName } from '../protocol/methods.js';
import type { ListenerStatus, RemoteAccess } from '../protocol/replies.js';
import { objectParams, optionalStringParam } from '../rpc/params.js';
import type { RpcContext, RpcServer } from '../rpc/server.js';
import { loadOrCreateIdentity, type TlsIdentity } from './certificate.js';
import { NonceCache } from './nonce-cache.js';
import type { RemoteSettings } from './remote-settings.js';
import { createRequestGate } from './request-gate.js';
import { listenTls, type TlsListener } from './tls-listener.js';
import { parseUserName } from './user-names.js';
import { createUserStore } from './user-store.js';

export interface RemoteCoreOptions {
  settings: RemoteSettings;
  /** `<config>` of the home: the generated certificate lives under it. */
  configDir: string;
  usersFile: string;
  rpc: Pick<RpcServer, 'adopt'>;
  log: { warn(details: object, message: string): void };
  /** The TLS listener's state and, while it listens, the listener itself. */
  listener(): { status: ListenerStatus; open: TlsListener | null };
  now?: () => number;
}

/**
 * The part of remote access that needs crypto and TLS, loaded by remote-service.ts on first
 * use: the users, the request gate, the certificate, the TLS listener, the local methods.
 */
export async function createRemoteCore(options: RemoteCoreOptions) {
  const { settings } = options;
  const users = createUserStore(options.usersFile);
  await users.load().catch((error: unknown) => {
    options.log.warn({ err: error }, 'remote users not loaded: nobody can log in remotely');
  });
  const authorize = createRequestGate({
    lookup: (name) => users.get(name),
    nonces: new NonceCache(),
    now: options.now ?? Date.now,
  });
  let identity: Promise<TlsIdentity> | null = null;
  const loadIdentity = () => {
    identity ??= loadOrCreateIdentity({
      dir: join(options.configDir, 'remote'),
      certPath: settings.cert,
      keyPath: settings.key,
    }).catch((error: unknown) => {
      identity = null;
      throw error;
    });
    return identity;
  };

  const methods: MethodHandlers<RemoteMethodName, RpcContext> = {
    addUser: (params) => {
      const p = objectParams(params);
      const role = p.role ?? 'admin';
      if (role !== 'admin' && role !== 'read-only') {
        throw new GuvError('GUV_BAD_ARGUMENT', '"role" must be "admin" or "read-only"');
      }
      return users.add(parseUserName(p.name), role);
    },
    removeUser: async (params) => {
      const removed = await users.remove(parseUserName(objectParams(params).name));
      options.listener().open?.disconnectUser(removed.name);
      return removed;
    },
    listUsers: () => users.list(),
    resetUser: async (params) => {
      const reset = await users.reset(parseUserName(objectParams(params).name));
      options.listener().open?.disconnectUser(reset.name);
      return reset;
    },
    remoteConfig: async (params): Promise<RemoteAccess> => {
      const name = optionalStringParam(objectParams(params), 'name');
      if (!settings.enabled) {
        throw new GuvError('GUV_REMOTE_DISABLED', 'remote access is off (guv.json "remote")');
      }
      const { status, open } = options.listener();
      const access: RemoteAccess = {
        listener: status,
        host: settings.host,
        port: open?.port ?? settings.port,
        fingerprint: (await loadIdentity()).fingerprint,
      };
      if (name === null) return access;
      const user = users.get(parseUserName(name));
      if (user === undefined) {
        throw new GuvError('GUV_REMOTE_USER_NOT_FOUND', `no remote user called "${name}"`);
      }
      return { ...access, user: user.name, secret: user.secret };
    },
  };

  return {
    methods,
    /** Opens the TLS listener (the certificate is generated on first use). */
    listen: async (): Promise<TlsListener> =>
      listenTls({
        host: settings.host,
        port: settings.port,
        identity: await loadIdentity(),
        rpc: options.rpc,
        authorize,
        maxConnections: settings.maxConnections,
      }),
  };
}

export type RemoteCore = Awaited<ReturnType<typeof createRemoteCore>>;

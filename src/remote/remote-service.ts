import { join } from 'node:path';
import { createOptionalListener } from '../daemon/optional-listener.js';
import { GuvError } from '../errors.js';
import type { MethodHandlers, RemoteMethodName } from '../protocol/methods.js';
import type { RemoteAccess } from '../protocol/replies.js';
import { objectParams, optionalStringParam } from '../rpc/params.js';
import type { RpcContext, RpcServer } from '../rpc/server.js';
import { loadOrCreateIdentity, type TlsIdentity } from './certificate.js';
import { NonceCache } from './nonce-cache.js';
import type { RemoteSettings } from './remote-settings.js';
import { createRequestGate } from './request-gate.js';
import { listenTls, type TlsListener } from './tls-listener.js';
import { parseUserName } from './user-names.js';
import { createUserStore } from './user-store.js';

export interface RemoteServiceOptions {
  settings: RemoteSettings;
  /** `<config>` of the home: the users file and the generated certificate live under it. */
  configDir: string;
  usersFile: string;
  rpc: Pick<RpcServer, 'adopt'>;
  log: { warn(details: object, message: string): void };
  report(level: 'warn' | 'error', message: string, error: unknown): void;
  now?: () => number;
}

/**
 * Remote access: the users, the TLS listener (only when guv.json enables it) and the local
 * methods that manage both. The user methods are refused over TLS by the request gate.
 */
export function createRemoteService(options: RemoteServiceOptions) {
  const { settings } = options;
  const users = createUserStore(options.usersFile);
  const nonces = new NonceCache();
  const authorize = createRequestGate({
    lookup: (name) => users.get(name),
    nonces,
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
  let bound: TlsListener | null = null;
  const listener = createOptionalListener<TlsListener>({
    name: 'remote RPC',
    open: async () => {
      bound = await listenTls({
        host: settings.host,
        port: settings.port,
        identity: await loadIdentity(),
        rpc: options.rpc,
        authorize: (request) => void authorize(request),
        maxConnections: settings.maxConnections,
      });
      return bound;
    },
    url: (opened) => opened.url,
    close: (opened) => {
      bound = null;
      return opened.close();
    },
    report: options.report,
  });

  const methods: MethodHandlers<RemoteMethodName, RpcContext> = {
    addUser: (params) => {
      const p = objectParams(params);
      const role = p.role ?? 'admin';
      if (role !== 'admin' && role !== 'read-only') {
        throw new GuvError('GUV_BAD_ARGUMENT', '"role" must be "admin" or "read-only"');
      }
      return users.add(parseUserName(p.name), role);
    },
    removeUser: (params) => users.remove(parseUserName(objectParams(params).name)),
    listUsers: () => users.list(),
    resetUser: (params) => users.reset(parseUserName(objectParams(params).name)),
    remoteConfig: async (params): Promise<RemoteAccess> => {
      const name = optionalStringParam(objectParams(params), 'name');
      if (!settings.enabled) {
        throw new GuvError('GUV_REMOTE_DISABLED', 'remote access is off (guv.json "remote")');
      }
      const access: RemoteAccess = {
        listener: listener.status(),
        host: settings.host,
        port: bound?.port ?? settings.port,
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
    /** Reads the users; opens the listener when enabled. Never rejects: failures are reported. */
    async start(): Promise<void> {
      await users.load().catch((error: unknown) => {
        options.log.warn({ err: error }, 'remote users not loaded: nobody can log in remotely');
      });
      if (!settings.enabled) return;
      await listener.start();
    },
    status: () => listener.status(),
    close: () => listener.close(),
  };
}

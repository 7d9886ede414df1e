import { createOptionalListener } from '../daemon/optional-listener.js';
import type { MethodHandlers, RemoteMethodName } from '../protocol/methods.js';
import type { ListenerStatus } from '../protocol/replies.js';
import type { RpcContext, RpcHandler, RpcServer } from '../rpc/server.js';
import type { RemoteCore } from './remote-core.js';
import type { RemoteSettings } from './remote-settings.js';
import type { TlsListener } from './tls-listener.js';

export interface RemoteServiceOptions {
  settings: RemoteSettings;
  /** `<config>` of the home: the generated certificate lives under it. */
  configDir: string;
  usersFile: string;
  rpc: Pick<RpcServer, 'adopt'>;
  log: { warn(details: object, message: string): void };
  report(level: 'warn' | 'error', message: string, error: unknown): void;
}

/**
 * Remote access in the daemon: the TLS listener (only when guv.json enables it) and the local
 * methods that manage users. Its crypto and TLS half (remote-core.ts) is loaded on first use, so
 * a daemon without remote access pays nothing for it at boot.
 */
export function createRemoteService(options: RemoteServiceOptions) {
  let core: Promise<RemoteCore> | null = null;
  let open: TlsListener | null = null;
  const loadCore = (): Promise<RemoteCore> => {
    core ??= import('./remote-core.js').then(({ createRemoteCore }) =>
      createRemoteCore({
        ...options,
        listener: () => ({ status: listener.status() as ListenerStatus, open }),
      }),
    );
    return core;
  };
  const listener = createOptionalListener<TlsListener>({
    name: 'remote RPC',
    open: async (): Promise<TlsListener> => {
      open = await (await loadCore()).listen();
      return open;
    },
    url: (opened) => opened.url,
    close: (opened) => {
      open = null;
      return opened.close();
    },
    report: options.report,
  });
  const lazy =
    (name: RemoteMethodName): RpcHandler =>
    async (params, ctx) =>
      (await loadCore()).methods[name](params, ctx);

  return {
    methods: {
      addUser: lazy('addUser'),
      removeUser: lazy('removeUser'),
      listUsers: lazy('listUsers'),
      resetUser: lazy('resetUser'),
      remoteConfig: lazy('remoteConfig'),
    } as MethodHandlers<RemoteMethodName, RpcContext>,
    /** Opens the listener when enabled. Never rejects: failures are reported and retried. */
    start: (): Promise<void> => (options.settings.enabled ? listener.start() : Promise.resolve()),
    status: () => listener.status(),
    close: () => listener.close(),
  };
}

import type { Bus } from '../bus/bus.js';
import { GuvError } from '../errors.js';
import type { ChartRegistry } from '../inspect/registry.js';
import type { WebServer, WebServerOptions } from '../web/server.js';
import type { ListenerStatus } from './optional-listener.js';

export interface WebUiOptions {
  registry: ChartRegistry;
  bus: Bus;
  /** The server could not start: the daemon logs it and publishes it, and runs on. */
  reportListener(level: 'warn' | 'error', message: string, error: unknown): void;
  /** The server's module, loaded on first use (tests give one that fails). */
  load?: () => Promise<{ createWebServer(options: WebServerOptions): WebServer }>;
}

const loadServer = () => import('../web/server.js');

/**
 * The visualiser's web server, started on the first `guv ui` and kept until the daemon exits.
 * Its module (and node:http, node:crypto) is loaded only then, so a daemon nobody looks at pays
 * nothing. A server that cannot start is reported, and the next `guv ui` tries again.
 */
export function createWebUi(options: WebUiOptions) {
  let started: Promise<WebServer> | null = null;
  let status: ListenerStatus = { state: 'off' };

  function start(): Promise<WebServer> {
    const starting = (async () => {
      const { createWebServer } = await (options.load ?? loadServer)();
      const server = createWebServer({ registry: options.registry, bus: options.bus });
      await server.listen();
      status = { state: 'listening', url: server.origin };
      return server;
    })();
    return starting.catch((error: unknown) => {
      started = null;
      const why = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
      status = { state: 'failed', error: why, since: Date.now(), retryAt: null };
      options.reportListener('error', `web UI: ${why}`, error);
      throw error instanceof GuvError
        ? error
        : new GuvError('GUV_WEB_LISTEN_FAILED', `the web UI could not start: ${why}`, {
            cause: error,
          });
    });
  }

  return {
    /** A new one-time login link to the visualiser (`guv ui`), starting it if needed. */
    async url(): Promise<string> {
      started ??= start();
      return (await started).loginUrl();
    },
    /** `guv info`: off until the first `guv ui`, then listening or failed with the cause. */
    status: (): ListenerStatus => status,
    async close(): Promise<void> {
      const server = await started?.catch(() => null);
      await server?.close().catch(() => {});
    },
  };
}

export type WebUi = ReturnType<typeof createWebUi>;

import type { Bus } from '../bus/bus.js';
import type { ChartRegistry } from '../inspect/registry.js';

export interface WebUiOptions {
  registry: ChartRegistry;
  bus: Bus;
  tokenFile: string;
}

/**
 * The visualiser's web server, started on the first `guv ui` and kept until the daemon exits.
 * Its module (and node:http) is loaded only then, so a daemon nobody looks at pays nothing.
 */
export function createWebUi(options: WebUiOptions) {
  let started: Promise<{ url: string; close(): Promise<void> }> | null = null;
  return {
    url(): Promise<string> {
      started ??= (async () => {
        const { createWebServer } = await import('../web/server.js');
        const server = createWebServer({
          registry: options.registry,
          bus: options.bus,
          tokenFile: options.tokenFile,
        });
        const url = await server.listen();
        return { url, close: () => server.close() };
      })();
      return started.then((server) => server.url);
    },
    async close(): Promise<void> {
      if (started) await (await started).close().catch(() => {});
    },
  };
}

export type WebUi = ReturnType<typeof createWebUi>;

import { createServer, type Server } from 'node:http';
import type { ProcessStatus } from '../types/info.js';

/** What the health endpoint knows of one app. */
export interface AppHealth {
  name: string;
  status: ProcessStatus;
}

export interface HealthReport {
  healthy: boolean;
  body: { status: 'ok' | 'unhealthy'; apps: AppHealth[] };
}

/**
 * Healthy when there is at least one app and every app runs: an app that is starting,
 * restarting, stopped or errored makes the whole container unready.
 */
export function healthOf(apps: AppHealth[]): HealthReport {
  const healthy = apps.length > 0 && apps.every((app) => app.status === 'running');
  return { healthy, body: { status: healthy ? 'ok' : 'unhealthy', apps } };
}

export interface HealthServerOptions {
  host: string;
  port: number;
  apps: () => AppHealth[];
}

/**
 * `GET` (any path) → 200 or 503 with the report as JSON, for an orchestrator's probe. It reads
 * nothing from the request but its method, and gives a slow client a few seconds at most.
 */
export async function startHealthServer(
  options: HealthServerOptions,
): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const report = healthOf(options.apps());
    const body = JSON.stringify(report.body);
    response.writeHead(report.healthy ? 200 : 503, {
      'content-type': 'application/json',
      'cache-control': 'no-store',
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  });
  server.requestTimeout = 5000;
  server.headersTimeout = 5000;
  server.keepAliveTimeout = 1000;
  server.maxConnections = 64;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : options.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

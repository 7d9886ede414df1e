import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GuvError } from '../errors.js';
import {
  type MetricsFormat,
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_CONTENT_TYPE,
} from './openmetrics.js';

export interface MetricsEndpointOptions {
  /** A loopback address: `127.0.0.1` (default), `::1` or `localhost`. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /** Called per scrape with the format the scraper asked for. */
  render: (format: MetricsFormat) => string | Promise<string>;
}

export interface MetricsEndpoint {
  host: string;
  port: number;
  /** `http://host:port/metrics` */
  url: string;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * An opt-in HTTP endpoint for Prometheus-compatible scrapers, bound to loopback only (put a
 * reverse proxy or an agent in front of it to reach it from elsewhere): `GET /metrics`, 404 for
 * any other path.
 *
 * @example
 * const endpoint = await createMetricsEndpoint({ port: 9464, render: (f) => renderMetrics(collect(), f) });
 * // curl http://127.0.0.1:9464/metrics
 * await endpoint.close();
 */
export async function createMetricsEndpoint(
  options: MetricsEndpointOptions,
): Promise<MetricsEndpoint> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) {
    throw new GuvError(
      'GUV_METRICS_NOT_LOOPBACK',
      `the metrics endpoint listens on loopback only (127.0.0.1, ::1 or localhost), not ${host}`,
    );
  }
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new TypeError(`port must be an integer from 0 to 65535, got ${options.port}`);
  }
  const server = createServer(
    (request, response) => void handle(request, response, options.render),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause) =>
      reject(
        new GuvError(
          'GUV_METRICS_LISTEN_FAILED',
          `cannot listen on ${host}:${options.port}: ${cause.message}`,
          { cause },
        ),
      ),
    );
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    host,
    port,
    url: `http://${urlHost}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  render: MetricsEndpointOptions['render'],
): Promise<void> {
  const path = (request.url ?? '/').split('?')[0];
  if (path !== '/metrics') {
    reply(response, 404, 'not found\n');
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD');
    reply(response, 405, 'method not allowed\n');
    return;
  }
  const format = negotiateFormat(request.headers.accept);
  let body: string;
  try {
    body = await render(format);
  } catch {
    reply(response, 500, 'metrics could not be rendered\n');
    return;
  }
  response.writeHead(200, {
    'content-type': format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}

function reply(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  response.end(text);
}

/**
 * OpenMetrics unless the Accept header prefers `text/plain` (weighing `q=`), as Prometheus
 * servers and older scrapers expect.
 */
export function negotiateFormat(accept: string | undefined): MetricsFormat {
  if (!accept) return 'openmetrics';
  let best: { format: MetricsFormat; q: number } | null = null;
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!(q > 0)) continue;
    const format: MetricsFormat | null =
      type === 'application/openmetrics-text'
        ? 'openmetrics'
        : type === 'text/plain'
          ? 'prometheus'
          : null;
    if (format && (!best || q > best.q)) best = { format, q };
  }
  return best?.format ?? 'openmetrics';
}

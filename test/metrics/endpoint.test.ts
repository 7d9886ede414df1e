import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createMetricsEndpoint,
  type MetricsEndpoint,
  negotiateFormat,
} from '../../src/metrics/endpoint.js';
import { renderMetrics } from '../../src/metrics/openmetrics.js';
import { parseExposition } from './strict-parser.js';

let endpoint: MetricsEndpoint | null = null;
afterEach(async () => {
  await endpoint?.close();
  endpoint = null;
});

function get(url: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

const snapshot = { processes: [{ id: 'a', name: 'api', up: true, restarts: 1 }] };

describe('metrics endpoint', () => {
  it('serves OpenMetrics on 127.0.0.1 and text/plain 0.0.4 when asked', async () => {
    endpoint = await createMetricsEndpoint({
      port: 0,
      render: (format) => renderMetrics(snapshot, format),
    });
    expect(endpoint.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const om = await get(endpoint.url);
    expect(om.status).toBe(200);
    expect(om.type).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(parseExposition(om.body, 'openmetrics').map((f) => f.name)).toContain('guv_process_up');
    const prom = await get(endpoint.url, { accept: 'text/plain;version=0.0.4' });
    expect(prom.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(parseExposition(prom.body, 'prometheus')).toHaveLength(2);
    const head = await get(endpoint.url, {}, 'HEAD');
    expect([head.status, head.body]).toEqual([200, '']);
  });

  it('answers 404 elsewhere, 405 for other methods, 500 when rendering throws', async () => {
    let fail = false;
    endpoint = await createMetricsEndpoint({
      port: 0,
      render: (format) => {
        if (fail) throw new Error('boom');
        return renderMetrics(snapshot, format);
      },
    });
    const base = `http://127.0.0.1:${endpoint.port}`;
    expect((await get(`${base}/`)).status).toBe(404);
    expect((await get(`${base}/metricsx`)).status).toBe(404);
    expect((await get(`${base}/metrics?x=1`)).status).toBe(200);
    expect((await get(`${base}/metrics`, {}, 'POST')).status).toBe(405);
    fail = true;
    expect((await get(`${base}/metrics`)).status).toBe(500);
  });

  it('refuses to listen beyond loopback', async () => {
    await expect(
      createMetricsEndpoint({ host: '0.0.0.0', port: 0, render: () => '' }),
    ).rejects.toMatchObject({
      code: 'GUV_METRICS_NOT_LOOPBACK',
    });
  });

  it('reports a port in use as a GuvError', async () => {
    endpoint = await createMetricsEndpoint({ port: 0, render: () => '' });
    await expect(
      createMetricsEndpoint({ port: endpoint.port, render: () => '' }),
    ).rejects.toMatchObject({
      code: 'GUV_METRICS_LISTEN_FAILED',
    });
  });

  it('negotiates by Accept with q weights as Prometheus sends them', () => {
    expect(negotiateFormat(undefined)).toBe('openmetrics');
    expect(negotiateFormat('*/*')).toBe('openmetrics');
    expect(negotiateFormat('text/plain')).toBe('prometheus');
    expect(
      negotiateFormat(
        'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      ),
    ).toBe('openmetrics');
    expect(negotiateFormat('application/openmetrics-text;q=0.2, text/plain;q=0.9')).toBe(
      'prometheus',
    );
  });
});

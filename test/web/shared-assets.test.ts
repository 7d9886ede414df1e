import { existsSync, readFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { dashboardAssetFiles } from '../../src/dashboard/assets.js';
import { assetFiles } from '../../src/web/assets.js';
import { closeServer, type Framing, listenOn, pageSender } from '../../src/web/http.js';

const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:";

function headersOf(origin: string): Promise<Record<string, string | string[] | undefined>> {
  return new Promise((resolve, reject) => {
    const req = request(origin, (res) => {
      res.resume();
      res.on('end', () => resolve(res.headers));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('what guv ui and the guv web dashboard share', () => {
  let server: Server | undefined;
  afterEach(async () => {
    if (server) await closeServer(server);
    server = undefined;
  });

  async function served(framing: Framing) {
    server = createServer((_, response) => pageSender(framing)(response, 200, 'text/plain', 'ok'));
    const { origin } = await listenOn(server, '127.0.0.1', 0);
    return headersOf(origin);
  }

  it("keeps guv ui's headers, and the dashboard's stricter ones (no framing, forms post here only)", async () => {
    const ui = await served('allow');
    expect(ui['content-security-policy']).toBe(CSP);
    expect(ui['x-frame-options']).toBeUndefined();
    expect(ui['x-content-type-options']).toBe('nosniff');
    expect(ui['referrer-policy']).toBe('no-referrer');
    await closeServer(server!);
    const dashboard = await served('deny');
    expect(dashboard['content-security-policy']).toBe(
      `${CSP}; frame-ancestors 'none'; form-action 'self'`,
    );
    expect(dashboard['x-frame-options']).toBe('DENY');
  });

  it('serves every script and style each page links, the shared ones from one file', () => {
    const pages = [
      { files: assetFiles(), name: 'guv ui' },
      { files: dashboardAssetFiles(), name: 'guv web' },
    ];
    for (const { files } of pages) {
      const html = readFileSync(files.get('/')!, 'utf8');
      const linked = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
      expect(linked.length).toBeGreaterThan(3);
      for (const path of linked) {
        expect(files.has(path), path).toBe(true);
        expect(existsSync(files.get(path)!), path).toBe(true);
      }
    }
    for (const shared of [
      '/assets/chart-view.js',
      '/assets/event-stream.js',
      '/assets/common.css',
    ]) {
      expect(pages[1]!.files.get(shared)).toBe(pages[0]!.files.get(shared));
    }
  });
});

import { writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** A port free right now (the dashboard under test is told to listen on it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Writes `<home>/config/dashboard.json` listing `hosts`. */
export async function writeDashboardConfig(
  homeDir: string,
  hosts: Array<Record<string, unknown>>,
): Promise<void> {
  await mkdir(join(homeDir, 'config'), { recursive: true, mode: 0o700 });
  writeFileSync(join(homeDir, 'config', 'dashboard.json'), `${JSON.stringify({ hosts })}\n`);
}

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request to the dashboard, as a script (not a browser) would send it. */
export function http(
  origin: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${origin}${path}`,
      { method: options.method ?? 'GET', headers: options.headers, timeout: 30_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`${path}: timed out`)));
    req.end(options.body);
  });
}

export function login(origin: string, user: string, password: string): Promise<HttpReply> {
  return http(origin, '/api/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user, password }),
  });
}

/**
 * The dashboard under load: `node --import tsx bench/dashboard.ts [--procs 200] [--rate 1000]
 * [--seconds 15]`. A daemon in a temporary home runs `procs` idle processes and one that logs
 * `rate` lines a second; a dashboard (in this process) serves a logged-in stream focused on the
 * logger, read by a plain HTTP client, and (with Chromium) by a real page of that process.
 * Prints what reached each reader per second, how late (send time to arrival), and what the
 * stream dropped to keep up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { connectOrStart } from '../src/client/api.js';
import { parseDashboardConfig } from '../src/dashboard/config.js';
import { connectHost } from '../src/dashboard/hosts.js';
import { createDashboardServer } from '../src/dashboard/server.js';
import { setPassword } from '../src/dashboard/users.js';

const { values } = parseArgs({
  options: {
    procs: { type: 'string', default: '200' },
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '15' },
  },
});
const procs = Number(values.procs);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const idle = fileURLToPath(new URL('./fixtures/idle.cjs', import.meta.url));
const logger = fileURLToPath(new URL('./fixtures/log-rate.cjs', import.meta.url));

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

const home = mkdtempSync('/tmp/guv-bench-dash-');
const client = await connectOrStart({ home, timeoutMs: 120_000 });
try {
  process.stdout.write(`starting ${procs} idle processes…\n`);
  for (let i = 0; i < procs; i += 10) {
    await Promise.all(
      Array.from({ length: Math.min(10, procs - i) }, (_, j) =>
        client.startProcess(idle, { name: `idle-${i + j}` }),
      ),
    );
  }
  const loud = await client.startProcess(logger, { name: 'loud', env: { RATE: String(rate) } });
  const usersFile = join(home, 'users.json');
  await setPassword(usersFile, 'bench', 'bench-password');
  const server = createDashboardServer({
    config: parseDashboardConfig({ hosts: [{ name: 'local', home }] }, home),
    usersFile,
    connectHost,
  });
  const origin = await server.listen();
  const login = await fetch(`${origin}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: 'bench', password: 'bench-password' }),
  });
  const cookie = String(login.headers.get('set-cookie')).split(';')[0] ?? '';
  const { csrf } = (await login.json()) as { csrf: string };

  const lags: number[] = [];
  let lines = 0;
  let dropped = 0;
  let batches = 0;
  let lists = 0;
  const controller = new AbortController();
  const response = await fetch(`${origin}/api/stream?host=local&process=${loud.id}`, {
    headers: { cookie, 'x-guv-csrf': csrf },
    signal: controller.signal,
  });
  const reading = (async () => {
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (!block.startsWith('event: batch') || !data) continue;
        batches++;
        const now = Date.now();
        for (const m of JSON.parse(data.slice(6)) as Array<Record<string, unknown>>) {
          if (m.t === 'log') {
            lines++;
            const sent = /sent (\d+)/.exec(String(m.message))?.[1];
            if (sent) lags.push(now - Number(sent));
          } else if (m.t === 'dropped') dropped += Number(m.count);
          else if (m.t === 'list') lists++;
        }
      }
    }
  })().catch(() => {});

  let page: { lines: number; seconds: number } | null = null;
  const started = Date.now();
  try {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const tab = await browser.newPage();
      await tab.goto(origin);
      await tab.fill('#login-user', 'bench');
      await tab.fill('#login-password', 'bench-password');
      await tab.click('#login-submit');
      await tab.locator('#connection', { hasText: 'live' }).waitFor();
      await tab.goto(`${origin}/#/process/local/${loud.id}`);
      await tab.locator('#log-rows li').first().waitFor({ timeout: 30_000 });
      const from = Number(await tab.locator('#log-count').getAttribute('data-count'));
      const t0 = Date.now();
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      const to = Number(await tab.locator('#log-count').getAttribute('data-count'));
      page = { lines: to - from, seconds: (Date.now() - t0) / 1000 };
    } finally {
      await browser.close();
    }
  } catch (error) {
    process.stdout.write(`(no browser figures: ${(error as Error).message.split('\n')[0]})\n`);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  }
  const elapsed = (Date.now() - started) / 1000;
  controller.abort();
  await reading;
  await server.close();
  const rows = [
    ['processes', String(procs + 2)],
    ['lines logged per second', String(rate)],
    ['stream: lines received per second', (lines / elapsed).toFixed(0)],
    ['stream: lines dropped to keep up', String(dropped)],
    ['stream: batches per second', (batches / elapsed).toFixed(1)],
    ['stream: process lists per second', (lists / elapsed).toFixed(2)],
    ['stream: lag p50 / p99 (ms)', `${percentile(lags, 50)} / ${percentile(lags, 99)}`],
    ['page: lines shown per second', page ? (page.lines / page.seconds).toFixed(0) : 'n/a'],
  ];
  process.stdout.write(
    `\n| figure | value |\n|---|---|\n${rows.map(([a, b]) => `| ${a} | ${b} |`).join('\n')}\n`,
  );
} finally {
  await client.request('kill', undefined, 120_000).catch(() => {});
  await client.disconnect();
  rmSync(home, { recursive: true, force: true });
}

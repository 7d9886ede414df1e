import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type CliResult,
  cleanupHome,
  daemonPid,
  fixture,
  guv,
  makeHome,
  type TestHome,
} from '../helpers/daemon-harness.js';
import { ARTIFACTS, hasChromium, launchBrowser } from './browser.js';

if (!hasChromium) {
  console.warn(
    'daemon UI tests skipped: /usr/bin/chromium is absent (apt-get install -y chromium)',
  );
}

/** The daemon's listening TCP sockets, from its fds and /proc/<pid>/net/tcp{,6}. */
function listeningSockets(pid: number): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
      if (inode) inodes.add(inode);
    } catch {}
  }
  const found: string[] = [];
  for (const table of ['tcp', 'tcp6']) {
    const lines = readFileSync(`/proc/${pid}/net/${table}`, 'utf8').trim().split('\n').slice(1);
    for (const line of lines) {
      const [, local, , state, , , , , , inode] = line.trim().split(/\s+/);
      if (state !== '0A' || !inodes.has(inode!)) continue;
      const [hex, port] = local!.split(':');
      const address =
        table === 'tcp'
          ? (hex!.match(/../g) ?? [])
              .reverse()
              .map((b) => Number.parseInt(b, 16))
              .join('.')
          : `[${hex}]`;
      found.push(`${address}:${Number.parseInt(port!, 16)}`);
    }
  }
  return found;
}

/** A plain GET with no cookie jar: status and body. */
function fetchRaw(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

function ok(result: CliResult): string {
  if (result.code !== 0) {
    throw new Error(`guv exited ${result.code}: ${result.stderr}${result.stdout}`);
  }
  return result.stdout;
}

/**
 * A script that takes 300 ms to shut down, as a server closing its connections does: hello.js
 * dies on SIGTERM within a millisecond, so its `stopping` is over before the page's next frame
 * (the page lights where a frame's transitions ended; the history still shows every state).
 */
const GRACEFUL_STOP = `
process.on('SIGTERM', () => setTimeout(() => process.exit(0), 300));
console.log('up');
setInterval(() => {}, 1 << 30);
`;

const URL_LINE = /^http:\/\/127\.0\.0\.1:(\d+)\/#code=([\w-]{43})\n$/;

describe.skipIf(!hasChromium)('the visualiser of a real daemon, driven by the CLI', () => {
  let home: TestHome;
  let browser: Browser | undefined;
  let page: Page | undefined;
  let url = '';
  let errors: string[] = [];
  /** Process ids by name, from `guv start`'s output. */
  const ids = new Map<string, string>();

  const cli = async (...args: string[]) => ok(await guv(home, args, { timeoutMs: 20_000 }));

  async function start(name: string, script: string, ...options: string[]): Promise<string> {
    const out = await cli(
      'start',
      script,
      '-n',
      name,
      '--env',
      `GUV_TEST_HOME=${home.dir}`,
      ...options,
    );
    const id = /\[([\w-]+)\]/.exec(out)?.[1];
    if (!id) throw new Error(`no id in: ${out}`);
    ids.set(name, id);
    return id;
  }

  beforeAll(async () => {
    home = makeHome();
    browser = await launchBrowser();
  }, 60_000);

  afterEach(async (context) => {
    if (page && context.task.result?.state === 'fail') {
      await page
        .screenshot({
          path: join(ARTIFACTS, `daemon-failed-${context.task.name.slice(0, 20)}.png`),
        })
        .catch(() => {});
    }
  });

  afterAll(async () => {
    await page?.close().catch(() => {});
    await browser?.close().catch(() => {});
    if (home) await cleanupHome(home);
  }, 60_000);

  const litState = () => page!.locator('#svg-host').getAttribute('data-state');
  const item = (id: string) => page!.locator(`#actor-list li[data-id="${id}"]`);

  /** Selects an actor and records every state its chart lights from now on, with the time. */
  async function watch(id: string, title: string): Promise<void> {
    await item(id).click();
    await expect.poll(() => page!.locator('#chart-title').textContent()).toBe(title);
    await page!.locator('#svg-host svg').waitFor();
    await page!.evaluate(`
      window.lit = [];
      window.litObserver?.disconnect();
      const host = document.getElementById('svg-host');
      window.litObserver = new MutationObserver(() =>
        window.lit.push({ state: host.dataset.state ?? '', at: Date.now() }),
      );
      window.litObserver.observe(host, { attributes: true, attributeFilter: ['data-state'] });
    `);
  }

  const lit = () => page!.evaluate('window.lit') as Promise<Array<{ state: string; at: number }>>;

  it('opens no port before the first guv ui, then one on 127.0.0.1 that guv ui keeps', async () => {
    await start('hello', fixture('hello.js'));
    const pid = daemonPid(home);
    expect(listeningSockets(pid)).toEqual([]);

    const first = await cli('ui');
    const match = URL_LINE.exec(first);
    expect(match, first).not.toBeNull();
    url = first.trim();
    // Each guv ui hands out a new one-time login code for the same server.
    const second = await cli('ui');
    expect(URL_LINE.exec(second)?.[1]).toBe(match![1]);
    expect(second).not.toBe(first);
    expect(listeningSockets(pid)).toEqual([`127.0.0.1:${match![1]}`]);
    // Nothing of the secret is kept on disk: it lives in this daemon's memory only.
    expect(existsSync(join(home.dir, 'config', 'web-token'))).toBe(false);

    // Nothing answers on the host's other addresses.
    const external = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    if (external) {
      await expect(fetchRaw(`http://${external}:${match![1]}/`)).rejects.toThrow(/ECONNREFUSED/);
    }
  });

  it('serves no data without a session, whatever secret is tried instead', async () => {
    const page0 = new URL(url);
    const code = new URLSearchParams(page0.hash.slice(1)).get('code')!;
    for (const path of [
      '/api/actors',
      `/api/actors/${ids.get('hello')}`,
      '/api/graph/process',
      '/api/events',
      `/api/actors?token=${code}`,
    ]) {
      const { status } = await fetchRaw(`${page0.origin}${path}`);
      expect({ path, status }).toEqual({ path, status: 401 });
    }
    const other = await browser!.newPage();
    try {
      await other.goto(`${page0.origin}/`);
      await other.locator('#connection', { hasText: 'signed out' }).waitFor();
      expect(await other.locator('#actor-list li').count()).toBe(0);
      const wrong = `${code.slice(0, -1)}${code.endsWith('A') ? 'B' : 'A'}`;
      await other.goto(`${page0.origin}/#code=${wrong}`);
      await other.reload();
      await other.locator('#connection', { hasText: 'signed out' }).waitFor();
      expect(await other.locator('#actor-list li').count()).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('shows the running process, lights stopping then stopped on guv stop, running on guv start', async () => {
    page = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
    errors = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(url);
    await page.locator('#connection', { hasText: 'live' }).waitFor();
    expect(page.url()).not.toContain('code=');

    const hello = ids.get('hello')!;
    await expect.poll(() => item(hello).getAttribute('data-status')).toBe('running');
    await expect.poll(() => item('daemon').count()).toBe(1);
    await watch(hello, 'process hello');
    await expect.poll(() => litState()).toBe('running');
    expect(await page.locator('#svg-host [id="state:running"]').getAttribute('class')).toContain(
      'active',
    );
    await page.screenshot({ path: join(ARTIFACTS, 'daemon-running.png') });

    // hello.js: stopping is too short to be lit, but the history has it.
    expect(await cli('stop', 'hello')).toBe('hello stopped\n');
    await expect.poll(() => litState(), { timeout: 1000 }).toBe('stopped');
    const tail = async () =>
      (await page!.locator('#history-rows tr').allTextContents()).slice(-2).join('\n');
    await expect.poll(tail).toMatch(/running\s*stopping.*\n.*stopping\s*stopped/);
    await cli('start', 'hello');
    await expect.poll(() => litState(), { timeout: 3000 }).toBe('running');
    await expect.poll(() => item(hello).getAttribute('data-status')).toBe('running');

    // A script that takes its time to stop: stopping is lit, then stopped, within a second.
    const script = join(home.dir, 'graceful-stop.js');
    writeFileSync(script, GRACEFUL_STOP);
    const graceful = await start('graceful', script);
    await expect.poll(() => item(graceful).getAttribute('data-status')).toBe('running');
    await watch(graceful, 'process graceful');
    await expect.poll(() => litState()).toBe('running');
    const stopAsked = Date.now();
    const stopping = cli('stop', 'graceful');
    await expect.poll(() => litState(), { timeout: 1000 }).toBe('process.alive.stopping');
    await page.screenshot({ path: join(ARTIFACTS, 'daemon-stopping.png') });
    await expect.poll(() => litState(), { timeout: 1000 }).toBe('stopped');
    expect(await stopping).toBe('graceful stopped\n');
    const seen = await lit();
    expect(seen.map((s) => s.state)).toEqual(['process.alive.stopping', 'stopped']);
    // From the CLI's start (a node process: a few hundred ms) to stopped lit.
    expect(seen[1]!.at - stopAsked).toBeLessThan(1500);
    expect(seen[1]!.at - seen[0]!.at).toBeLessThan(1000);
    await expect.poll(() => item(graceful).getAttribute('data-status')).toBe('stopped');
    await page.screenshot({ path: join(ARTIFACTS, 'daemon-stopped.png') });

    await cli('start', 'graceful');
    await expect.poll(() => litState(), { timeout: 3000 }).toBe('running');
    expect((await lit()).at(-1)?.state).toBe('running');

    // Selecting it while it changes: the page's snapshot of it is taken before a stop, the
    // stop's transitions stream in before that snapshot arrives. Neither lost nor doubled.
    await watch(hello, 'process hello');
    const detailPath = `**/api/actors/${graceful}`;
    let held: () => void = () => {};
    const stale = new Promise<void>((resolve) => (held = resolve));
    await page.route(detailPath, async (route) => {
      const response = await route.fetch();
      await stale;
      await route.fulfill({ response });
    });
    await item(graceful).click();
    expect(await cli('stop', 'graceful')).toBe('graceful stopped\n');
    await expect.poll(() => item(graceful).getAttribute('data-status')).toBe('stopped');
    held();
    await expect.poll(() => page!.locator('#chart-title').textContent()).toBe('process graceful');
    await page.unroute(detailPath);
    await expect.poll(() => litState()).toBe('stopped');
    const history = (await page.locator('#history-rows tr').allTextContents()).map((row) =>
      row.replace(/^[\d:.]+/, ''),
    );
    expect(history.slice(-3)).toEqual([
      expect.stringMatching(/^startedrunning/),
      expect.stringMatching(/^runningstopping/),
      expect.stringMatching(/^stoppingstopped/),
    ]);
    expect(errors).toEqual([]);
  });

  it('shows a crash with its cause: a SIGKILL restarts at once, a failing script waits in restarting', async () => {
    const hello = ids.get('hello')!;
    await watch(hello, 'process hello');
    await cli('signal', 'hello', 'SIGKILL');
    const killRow = page!.locator('#history-rows tr', { hasText: 'signal SIGKILL' });
    await expect.poll(() => killRow.count(), { timeout: 5000 }).toBeGreaterThan(0);
    expect(await killRow.first().locator('td').nth(2).textContent()).toBe('restarting');
    await expect.poll(() => litState(), { timeout: 5000 }).toBe('running');
    await expect.poll(() => item(hello).getAttribute('data-status')).toBe('running');

    // Exits with code 3 after 200 ms: the first crash restarts at once, the second waits.
    const crashy = await start('crashy', fixture('exit-later.js'), '-a', '200');
    await expect.poll(() => item(crashy).count()).toBe(1);
    await watch(crashy, 'process crashy');
    // One look at the page at a time: a crash loop leaves `restarting` after its delay (200 ms
    // for the second crash), so separate reads on a busy machine could each see another moment.
    const restartingNow = () =>
      page!.evaluate(`(() => {
        const rows = document.querySelectorAll('#history-rows tr');
        const last = rows[rows.length - 1];
        return document.getElementById('svg-host')?.dataset.state === 'restarting' &&
          last?.querySelectorAll('td')[2]?.textContent === 'restarting' &&
          (last?.textContent ?? '').includes('code 3') &&
          (document.getElementById('state:restarting')?.getAttribute('class') ?? '').includes('active') &&
          document.querySelectorAll('#svg-host .taken').length > 0;
      })()`);
    await expect.poll(restartingNow, { timeout: 15_000 }).toBe(true);
    await page!.screenshot({ path: join(ARTIFACTS, 'daemon-restarting.png') });

    // Stopped, the history holds still; step back through it.
    await cli('stop', 'crashy');
    await expect.poll(() => litState(), { timeout: 5000 }).toBe('stopped');
    const rows = await page!.locator('#history-rows tr').count();
    expect(rows).toBeGreaterThan(3);
    await page!.click('#prev');
    expect(await page!.locator('#step-info').getAttribute('data-cursor')).toBe(String(rows - 2));
    expect(await page!.locator('#svg-host .past').count()).toBe(1);
    const restartRow = page!.locator('#history-rows tr', { hasText: 'code 3' }).first();
    await restartRow.click();
    expect(await litState()).toBe('restarting');
    expect(
      await page!.locator('#svg-host [id="state:restarting"]').getAttribute('class'),
    ).toContain('past');
    await page!.locator('#history-rows tr').nth(0).click();
    expect(await page!.locator('#step-info').getAttribute('data-cursor')).toBe('0');
    const firstTo = await page!
      .locator('#history-rows tr')
      .nth(0)
      .locator('td')
      .nth(2)
      .textContent();
    expect(await litState()).toContain(firstTo!);
    await page!.click('#next');
    expect(await page!.locator('#step-info').getAttribute('data-cursor')).toBe('1');
    await page!.screenshot({ path: join(ARTIFACTS, 'daemon-step-back.png') });
    await page!.click('#live');
    expect(await page!.locator('#step-info').getAttribute('data-cursor')).toBe('live');
    expect(await litState()).toBe('stopped');
    expect(errors).toEqual([]);
  });

  it('nests the workers of a cluster started with -i 2 under it', async () => {
    const cluster = await start('cl', fixture('cluster-http.js'), '-i', '2', '--env', 'PORT=0');
    const children = page!.locator(`#actor-list li.child[data-id^="${cluster}."]`);
    await expect.poll(() => children.count(), { timeout: 10_000 }).toBe(2);
    const order = await page!
      .locator('#actor-list li')
      .evaluateAll((lis) => lis.map((li) => li.getAttribute('data-id')));
    const at = order.indexOf(cluster);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(order.slice(at + 1, at + 3).every((id) => id?.startsWith(`${cluster}.`))).toBe(true);
    await expect
      .poll(() => children.evaluateAll((lis) => lis.map((li) => li.getAttribute('data-status'))), {
        timeout: 10_000,
      })
      .toEqual(['running', 'running']);
    await item(cluster).click();
    await expect.poll(() => page!.locator('#chart-title').textContent()).toBe('cluster cl');
    await children.first().click();
    await expect.poll(() => page!.locator('#chart-title').textContent()).toBe('worker cl.0');
    expect(await children.locator('.name').allTextContents()).toEqual(['cl.0', 'cl.1']);
    await expect.poll(() => litState()).toBe('running');
    await page!.screenshot({ path: join(ARTIFACTS, 'daemon-cluster.png') });

    // Restarted: one cluster still, its two new workers under it.
    await cli('restart', 'cl');
    await expect
      .poll(() => children.evaluateAll((lis) => lis.map((li) => li.getAttribute('data-status'))), {
        timeout: 10_000,
      })
      .toEqual(['running', 'running']);
    expect(await item(cluster).count()).toBe(1);
    expect(await children.locator('.name').allTextContents()).toEqual(['cl.0', 'cl.1']);

    // Removed from the daemon, gone from the list (a cluster with its workers).
    const listed = () =>
      page!
        .locator('#actor-list li')
        .evaluateAll((lis) => lis.map((li) => li.getAttribute('data-id')));
    await cli('rm', 'cl');
    await expect.poll(listed).not.toContain(cluster);
    expect((await listed()).filter((id) => id?.startsWith(`${cluster}.`))).toEqual([]);
    await cli('rm', 'crashy');
    await expect.poll(listed).not.toContain(ids.get('crashy'));
    expect(await listed()).toContain(ids.get('hello'));
    expect(errors).toEqual([]);
  });

  it('tails the bus with a wildcard pattern', async () => {
    await page!.fill('#pattern', '*:log:info');
    await page!.click('#pattern-form button');
    await expect.poll(() => page!.locator('#event-count').getAttribute('data-count')).toBe('0');
    await cli('restart', 'hello');
    const rows = page!.locator('#event-rows li');
    await expect
      .poll(() => rows.allTextContents())
      .toContainEqual(expect.stringMatching(/ process:log:info hello hello world$/));
    expect((await rows.allTextContents()).every((row) => / \S+:log:info /.test(row))).toBe(true);
    await page!.screenshot({ path: join(ARTIFACTS, 'daemon-events.png') });
    expect(errors).toEqual([]);
  });
});

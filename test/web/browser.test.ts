import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { processInfo } from '../../src/machines/index.js';
import { createWebServer, type WebServer } from '../../src/web/index.js';
import { ARTIFACTS, hasChromium, launchBrowser } from './browser.js';
import { createFleet, type Fleet } from './fleet.js';

if (!hasChromium) {
  console.warn('browser tests skipped: /usr/bin/chromium is absent (apt-get install -y chromium)');
}

describe.skipIf(!hasChromium)('visualiser page in Chromium', () => {
  let browser: Browser | undefined;
  let web: WebServer | undefined;
  let fleet: Fleet | undefined;
  let page: Page | undefined;
  let errors: string[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterEach(async () => {
    const pageErrors = errors;
    errors = [];
    await page?.close();
    page = undefined;
    await web?.close();
    web = undefined;
    fleet?.stopAll();
    fleet = undefined;
    expect(pageErrors).toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function open(count: number): Promise<{ url: string; fleet: Fleet; page: Page }> {
    fleet = createFleet(count);
    web = createWebServer({ registry: fleet.registry, bus: fleet.bus });
    await web.listen();
    const url = web.loginUrl();
    page = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
    errors = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(url);
    await page.locator('#connection', { hasText: 'live' }).waitFor();
    return { url, fleet, page };
  }

  const litState = (p: Page) => p.locator('#svg-host').getAttribute('data-state');

  it('shows a running process, then stopping and stopped, running again, and a crash with its cause', async () => {
    const { fleet, page } = await open(2);
    const web0 = fleet.processes[0]!;
    fleet.run(web0);
    const item = page.locator('#actor-list li[data-id="app-000"]');
    await expect.poll(() => item.getAttribute('data-status')).toBe('running');
    await item.click();
    await page.locator('#svg-host svg').waitFor();
    await expect.poll(() => litState(page)).toBe('running');
    expect(await page.locator('#svg-host [id="state:running"]').getAttribute('class')).toContain(
      'active',
    );
    await page.screenshot({ path: join(ARTIFACTS, 'running.png') });

    const seen: string[] = [];
    await page.exposeFunction('reportLit', (state: string) => seen.push(state));
    // Runs in the page (a string: the test's tsconfig has no DOM types).
    await page.evaluate(`
      const host = document.getElementById('svg-host');
      new MutationObserver(() => window.reportLit(host.dataset.state ?? '')).observe(host, {
        attributes: true,
        attributeFilter: ['data-state'],
      });
    `);
    const stopAt = Date.now();
    web0.actor.send({ type: 'STOP', by: 'browser-test' });
    await expect.poll(() => litState(page), { timeout: 1000 }).toBe('process.alive.stopping');
    await page.screenshot({ path: join(ARTIFACTS, 'stopping.png') });
    web0.child.exit(null, 'SIGTERM');
    await expect.poll(() => litState(page), { timeout: 1000 }).toBe('stopped');
    expect(Date.now() - stopAt).toBeLessThan(2000);
    expect(seen).toEqual(['process.alive.stopping', 'stopped']);
    await expect.poll(() => item.getAttribute('data-status')).toBe('stopped');
    const stopRow = page.locator('#history-rows tr').last();
    await expect.poll(() => stopRow.textContent()).toContain('signal SIGTERM');

    fleet.run(web0);
    await expect.poll(() => litState(page), { timeout: 3000 }).toBe('running');

    // The first crash restarts at once; the second waits (backoff), long enough to be seen.
    web0.child.exit(3, null);
    await expect
      .poll(() => litState(page), { timeout: 3000 })
      .toBe('process.alive.booting.starting');
    // Gone within a frame, so never lit, but in the history with its cause.
    await expect
      .poll(() =>
        page.locator('#history-rows tr', { hasText: 'code 3' }).locator('td').nth(2).textContent(),
      )
      .toBe('restarting');
    web0.child.fork();
    web0.child.ready();
    await expect.poll(() => litState(page), { timeout: 3000 }).toBe('running');
    web0.child.exit(4, null);
    await expect.poll(() => litState(page), { timeout: 3000 }).toBe('restarting');
    const crashRow = page.locator('#history-rows tr').last();
    await expect.poll(() => crashRow.textContent()).toContain('CHILD.EXIT');
    expect(await crashRow.textContent()).toContain('code 4');
    expect(await page.locator('#history-rows').textContent()).toContain('code 3');
    expect(await page.locator('#svg-host .taken').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(ARTIFACTS, 'restarting.png') });

    // Stop it so the history holds still (the restart delay would add rows), then step back.
    web0.actor.send({ type: 'STOP', by: 'browser-test' });
    await expect.poll(() => litState(page), { timeout: 3000 }).toBe('stopped');
    const rows = await page.locator('#history-rows tr').count();
    await page.click('#prev');
    expect(await page.locator('#step-info').getAttribute('data-cursor')).toBe(String(rows - 2));
    await page.locator('#history-rows tr').nth(0).click();
    expect(await litState(page)).toBe('process.alive.booting.starting');
    expect(await page.locator('#svg-host .past').count()).toBe(1);
    await page.click('#next');
    expect(await litState(page)).toBe('process.alive.booting.forked');
    await page.screenshot({ path: join(ARTIFACTS, 'step-back.png') });
    await page.click('#live');
    expect(await page.locator('#step-info').getAttribute('data-cursor')).toBe('live');
  });

  it("nests a cluster's workers under it, beside the daemon, each with its own chart", async () => {
    const { fleet, page } = await open(1);
    const { child } = fleet.addDaemonAndCluster(2);
    child.fork(1000, 'web.0');
    child.ready('web.0');
    const items = page.locator('#actor-list li');
    await expect
      .poll(() => items.evaluateAll((lis) => lis.map((li) => li.getAttribute('data-id'))))
      .toEqual(['daemon', 'app-000', 'web', 'web.0', 'web.1']);
    expect(await page.locator('#actor-list li.child').count()).toBe(2);
    await page.locator('#actor-list li[data-id="web.0"]').click();
    await expect.poll(() => litState(page)).toBe('running');
    expect(await page.locator('#chart-title').textContent()).toBe('worker web.0');
    await page.locator('#actor-list li[data-id="daemon"]').click();
    await expect.poll(() => page.locator('#chart-title').textContent()).toBe('daemon guv');
    expect(await litState(page)).not.toBe('');
    await page.locator('#actor-list li[data-id="web"]').click();
    await expect.poll(() => page.locator('#chart-title').textContent()).toBe('cluster web');
    await page.screenshot({ path: join(ARTIFACTS, 'cluster.png') });
    child.fork(1001, 'web.1');
    child.ready('web.1');
    await expect
      .poll(() => page.locator('#actor-list li[data-id="web.1"]').getAttribute('data-status'))
      .toBe('running');
  });

  it('gets no data without a session; the link is good once; a reload keeps the session', async () => {
    const { url, page } = await open(1);
    // The page's own address bar no longer holds the login code.
    expect(page.url()).not.toContain('code=');
    const origin = new URL(url).origin;
    const other = await browser!.newPage();
    try {
      // A tab of its own (its own sessionStorage), with the link already used: signed out.
      for (const address of [`${origin}/`, url]) {
        await other.goto(address);
        await other.locator('#connection', { hasText: 'signed out' }).waitFor();
        expect(await other.locator('#actor-list li').count()).toBe(0);
      }
      const api = await other.goto(`${origin}/api/actors`);
      expect(api?.status()).toBe(401);
    } finally {
      await other.close();
    }
    await page.reload();
    await page.locator('#connection', { hasText: 'live' }).waitFor();
    await expect.poll(() => page.locator('#actor-list li').count()).toBe(1);
    // The page never sets or sends a cookie.
    expect(await page.context().cookies()).toEqual([]);
  });

  it('keeps up with 200 processes and 1,000 events/s: every event emitted is counted', async () => {
    const { fleet, page } = await open(200);
    await expect.poll(() => page.locator('#actor-list li').count()).toBe(200);
    let delivered = 0;
    fleet.bus.onMatch('*', () => delivered++);
    const infos = fleet.processes.map((p) => processInfo(p.actor.getSnapshot().context));
    const seconds = 3;
    let emitted = 0;
    const started = Date.now();
    // 1,000 log events/s, spread over the 200 processes, emitted in 10 ms ticks.
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const due = Math.min(seconds * 1000, Date.now() - started);
        for (; emitted < due; emitted++) {
          fleet.bus.emit('process:log:info', infos[emitted % 200]!, {
            date: Date.now(),
            message: `line ${emitted}`,
          });
        }
        if (due >= seconds * 1000) {
          clearInterval(timer);
          resolve();
        }
      }, 10);
    });
    // And transitions on top: 50 processes start (3 bus events and 3 chart updates each).
    for (const p of fleet.processes.slice(0, 50)) fleet.run(p);
    expect(delivered).toBe(seconds * 1000 + 150);
    await expect
      .poll(() => page.locator('#event-count').getAttribute('data-count'), { timeout: 5000 })
      .toBe(String(delivered));
    await expect
      .poll(() => page.locator('#actor-list li[data-status="running"]').count(), { timeout: 5000 })
      .toBe(50);
    expect(await page.locator('#event-rows li').count()).toBe(500);
    expect(await page.locator('#event-rows li').last().textContent()).toContain('process:ready');
    await page.screenshot({ path: join(ARTIFACTS, 'throughput.png') });
  });
});

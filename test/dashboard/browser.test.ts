import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GuvClient } from '../../src/client/api.js';
import { makeAppRepo } from '../apps-e2e/app-repo.js';
import { makeTempDir, removeDir } from '../apps/git-fixtures.js';
import {
  cleanupHome,
  fixture,
  guv,
  makeHome,
  startDaemon,
  startTracked,
  type TestHome,
  writeDaemonConfig,
} from '../helpers/daemon-harness.js';
import { CHROMIUM, hasChromium, launchBrowser } from '../web/browser.js';
import { freePort, writeDashboardConfig } from './helpers.js';

/** Screenshots of this test: gitignored (test-artifacts/). */
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'dashboard');
const PASSWORD = 'correct horse battery';

if (!hasChromium) console.warn(`dashboard browser tests skipped: ${CHROMIUM} is absent`);

describe.skipIf(!hasChromium)(
  'guv web in Chromium, over a local daemon and a remote one (TLS)',
  () => {
    let alpha: TestHome;
    let beta: TestHome;
    let clientA: GuvClient;
    let clientB: GuvClient;
    let browser: Browser | undefined;
    let page: Page;
    let url: string;
    let base: string | undefined;
    let tickerId: string;
    let clusterId: string;
    const errors: string[] = [];

    beforeAll(async () => {
      alpha = makeHome();
      beta = makeHome();
      // beta is reached as a remote host: over TLS, signed requests, a pinned certificate.
      writeDaemonConfig(beta, { remote: { enabled: true, port: 0 } });
      clientA = await startDaemon(alpha);
      clientB = await startDaemon(beta);
      await clientB.request('addUser', { name: 'dashboard' });
      const betaRemote = await clientB.request('remoteConfig', { name: 'dashboard' });
      tickerId = (
        await startTracked(clientA, alpha, fixture('dashboard-ticker.js'), { name: 'ticker' })
      ).id;
      await startTracked(clientB, beta, fixture('dashboard-ticker.js'), { name: 'beta-ticker' });
      clusterId = (
        await startTracked(clientB, beta, fixture('dashboard-ticker.js'), {
          name: 'herd',
          instances: 2,
        })
      ).id;
      await writeDashboardConfig(alpha.dir, [
        { name: 'alpha', home: alpha.dir },
        {
          name: 'beta',
          host: betaRemote.host,
          port: betaRemote.port,
          user: betaRemote.user,
          secret: betaRemote.secret,
          fingerprint: betaRemote.fingerprint,
        },
      ]);
      const passwd = await guv(alpha, ['web', 'passwd', 'alice'], { input: `${PASSWORD}\n` });
      expect(passwd.code, passwd.stderr).toBe(0);
      const port = await freePort();
      const web = await guv(alpha, ['web', '--port', String(port)]);
      expect(web.code, web.stderr).toBe(0);
      url = web.stdout.trim();
      expect(url).toBe(`http://127.0.0.1:${port}/`);
      browser = await launchBrowser();
      page = await browser.newPage({ viewport: { width: 1500, height: 1400 } });
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(url);
      await page.evaluate('document.body.dataset.noConfirm = "true"');
    }, 120_000);

    afterAll(async () => {
      await browser?.close().catch(() => {});
      // cleanupHome stops the daemon of alpha with guv-web, its supervised dashboard.
      if (alpha) await cleanupHome(alpha);
      if (beta) await cleanupHome(beta);
      await removeDir(base);
    }, 60_000);

    const shot = (name: string) =>
      page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

    it('refuses a wrong password', async () => {
      await page.locator('#login-user').fill('alice');
      await page.locator('#login-password').fill('not the password');
      await page.locator('#login-submit').click();
      await page.locator('#login-error', { hasText: 'wrong user or password' }).waitFor();
      await shot('login-refused');
    });

    it('logs in and shows both hosts with their figures, and the processes of both', async () => {
      await page.locator('#login-user').fill('alice');
      await page.locator('#login-password').fill(PASSWORD);
      await page.locator('#login-submit').click();
      await page.locator('#connection', { hasText: 'live' }).waitFor();
      await page.locator('#host-rows tr[data-host="alpha"] td.state-ok').waitFor();
      await page.locator('#host-rows tr[data-host="beta"] td.state-ok').waitFor();
      const version = JSON.parse(
        readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8'),
      ).version;
      await expect
        .poll(() => page.locator('#host-rows tr[data-host="beta"]').textContent())
        .toContain(version);
      await shot('hosts');
      await page.goto(`${url}#/processes`);
      await page
        .locator('#process-rows tr[data-host="alpha"]', { hasText: 'ticker' })
        .first()
        .waitFor();
      await page
        .locator('#process-rows tr[data-host="beta"]', { hasText: 'beta-ticker' })
        .waitFor();
      await page.locator('#process-rows tr[data-host="alpha"]', { hasText: 'guv-web' }).waitFor();
      await shot('processes');
    });

    it('shows a process page: chart lit running, then stopping and stopped, running again; logs and CPU move', async () => {
      await page.locator(`#process-rows tr[data-host="alpha"][data-id="${tickerId}"]`).click();
      await page.locator('#svg-host svg').waitFor();
      await expect.poll(() => page.locator('#svg-host').getAttribute('data-state')).toBe('running');
      // Log lines arrive, the level filter and search narrow them.
      await page.locator('#log-rows li', { hasText: 'tick' }).first().waitFor();
      await page
        .locator('#log-rows li[data-level="error"]', { hasText: 'error tick' })
        .first()
        .waitFor();
      await page.locator('#log-level').selectOption('error');
      await expect.poll(() => page.locator('#log-rows li[data-level="info"]').count()).toBe(0);
      await page.locator('#log-level').selectOption('');
      await page.locator('#log-search').fill('tick 1');
      await expect
        .poll(async () =>
          (await page.locator('#log-rows li').allInnerTexts()).every((t) => t.includes('tick 1')),
        )
        .toBe(true);
      await page.locator('#log-search').fill('');
      // The CPU chart gets points, and the ticker's CPU shows.
      await expect
        .poll(() => page.locator('#plot-cpu').getAttribute('data-points'), { timeout: 20_000 })
        .not.toBe('0');
      const first = Number(await page.locator('#plot-cpu').getAttribute('data-points'));
      await expect
        .poll(async () => Number(await page.locator('#plot-cpu').getAttribute('data-points')), {
          timeout: 20_000,
        })
        .toBeGreaterThan(first + 2);
      await expect
        .poll(async () => Number(await page.locator('#plot-cpu').getAttribute('data-last')), {
          timeout: 20_000,
        })
        .toBeGreaterThan(0);
      await shot('process-running');

      await page.evaluate(`
      window.__lit = [];
      const host = document.getElementById('svg-host');
      new MutationObserver((records) => {
        for (const r of records) window.__lit.push(r.oldValue ?? '');
        window.__lit.push(host.dataset.state ?? '');
      }).observe(host, { attributes: true, attributeFilter: ['data-state'], attributeOldValue: true });
    `);
      await page.locator('#process-buttons button[data-action="stop"]').click();
      await expect
        .poll(() => page.locator('#svg-host').getAttribute('data-state'), { timeout: 30_000 })
        .toBe('stopped');
      const lit = (await page.evaluate('window.__lit')) as string[];
      expect(lit).toContain('stopping');
      expect(lit.indexOf('stopping')).toBeLessThan(lit.lastIndexOf('stopped'));
      await page.locator('#history-rows tr', { hasText: 'stopped' }).first().waitFor();
      // Once guv why's answer came, causes read as words, as in `guv why`: never CHILD.FORKED.
      await page.locator('#history-rows tr', { hasText: 'on stop requested by' }).first().waitFor();
      await page
        .locator('#history-rows tr', { hasText: 'after the child was forked' })
        .first()
        .waitFor();
      expect(await page.locator('#history-rows').textContent()).not.toMatch(/CHILD\.[A-Z]/);
      await shot('process-stopped');

      await page.locator('#process-buttons button[data-action="start"]').click();
      await expect
        .poll(() => page.locator('#svg-host').getAttribute('data-state'), { timeout: 30_000 })
        .toBe('running');
      await page.locator('#action-result', { hasText: 'start:' }).waitFor();
      await shot('process-restarted');
    });

    it('shows the exceptions of a process with their stacks, live', async () => {
      const thrower = await startTracked(clientA, alpha, fixture('uncaught-handled.js'), {
        name: 'thrower',
        args: ['3000'],
      });
      await page.goto(`${url}#/process/alpha/${thrower.id}`);
      await page.locator('#svg-host svg').waitFor();
      const exception = page.locator('#exceptions .exception', { hasText: 'boom handled' });
      await exception.waitFor({ timeout: 30_000 });
      expect(await exception.locator('pre').textContent()).toContain('uncaught-handled.js');
      await page.goto(`${url}#/process/alpha/${tickerId}`);
      await page.locator('#svg-host svg').waitFor();
    }, 60_000);

    it('runs gc and a heap snapshot with its summary', async () => {
      await page.locator('#process-buttons button[data-action="gc"]').click();
      await page.locator('#action-result', { hasText: 'gc: done' }).waitFor({ timeout: 30_000 });
      await page.locator('#process-buttons button[data-action="heapdump"]').click();
      await page.locator('#heap-summary table tr').first().waitFor({ timeout: 120_000 });
      await shot('heap-snapshot');
    }, 150_000);

    it('shows a cluster on its own chart, and adds a worker', async () => {
      await page.goto(`${url}#/process/beta/${clusterId}`);
      await page.locator('#svg-host svg').waitFor();
      await expect.poll(() => page.locator('#svg-host').getAttribute('data-state')).not.toBe('');
      await page.locator('#process-buttons button[data-action="workers"][data-delta="1"]').click();
      await page.locator('#action-result', { hasText: 'workers:' }).waitFor({ timeout: 60_000 });
      await expect.poll(async () => (await clientB.info(clusterId)).instances).toBe(3);
      await shot('cluster');
    }, 90_000);

    it('installs an app from a local git repository with live output', async () => {
      base = await makeTempDir('guv-dash-apps-');
      const repo = await makeAppRepo(base);
      await page.goto(`${url}#/apps`);
      await page.locator('#app-host').selectOption('beta');
      await page.locator('#app-url').fill(repo.url);
      await page.locator('#app-name').fill('shop');
      await page.locator('#app-ref').fill('v1');
      await page.locator('#app-install').click();
      await page.locator('#install-result[data-done="shop"]').waitFor({ timeout: 120_000 });
      await expect.poll(() => page.locator('#app-output').textContent()).not.toBe('');
      await page.locator('#app-rows tr[data-host="beta"][data-app="shop"]').waitFor();
      await shot('apps');
      expect((await clientB.listApps()).map((a) => a.name)).toEqual(['shop']);

      const row = () => page.locator('#app-rows tr[data-host="beta"][data-app="shop"]');
      await row().locator('button', { hasText: 'refs' }).click();
      await row().locator('select option[value="dev"]').waitFor({ state: 'attached' });
      await row().locator('select').selectOption('dev');
      await row().locator('button', { hasText: 'switch ref' }).click();
      await page
        .locator('#install-result', { hasText: 'ref shop: done' })
        .waitFor({ timeout: 120_000 });
      await expect.poll(async () => (await clientB.currentRef('shop')).ref).toBe('dev');
      await row().locator('td', { hasText: 'dev' }).waitFor();
      await row().locator('button', { hasText: 'remove' }).click();
      await page
        .locator('#install-result', { hasText: 'remove shop: done' })
        .waitFor({ timeout: 60_000 });
      await expect.poll(() => row().count()).toBe(0);
      expect(await clientB.listApps()).toEqual([]);
    }, 300_000);

    it('refuses a POST without the CSRF token, though the browser sends the cookie', async () => {
      const status = await page.evaluate(
        `fetch('/api/hosts/alpha/processes/${tickerId}/stop', { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: '{}' }).then((r) => r.status)`,
      );
      expect(status).toBe(401);
      const summary = await clientA.findProcessInfoById(tickerId);
      expect(summary?.status).toBe('running');
      expect(errors).toEqual([]);
    });

    it('runs the dashboard as the supervised process guv-web; guv web again prints its address', async () => {
      const dashboard = await clientA.findProcessInfoByName('guv-web');
      expect(dashboard?.status).toBe('running');
      const again = await guv(alpha, ['web']);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout.trim()).toBe(url);
      expect((await clientA.findProcessInfoByName('guv-web'))?.pid).toBe(dashboard?.pid);
    });
  },
);

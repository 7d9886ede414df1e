import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { processMachine } from '../../src/machines/index.js';
import {
  createFakeChild,
  createTestProcess,
  recordChart,
  testSpec,
} from '../../src/testing/index.js';
import { ARTIFACTS, hasChromium, launchBrowser } from './browser.js';

const crashedFile = join(ARTIFACTS, 'recorded-crash.html');

async function recordCrash(): Promise<string> {
  const { actor, child, recorder, advance } = createTestProcess({ name: 'api' });
  const recording = recordChart(actor, { id: 'api', name: 'api' });
  actor.send({ type: 'START', by: 'unit-test' });
  child.fork(4242);
  child.ready();
  child.exit(1, null);
  advance(1);
  child.fork(4243);
  child.errored(new Error('EADDRINUSE: port 8080 taken'));
  await mkdir(ARTIFACTS, { recursive: true });
  await recording.writeHtml(crashedFile, { events: recorder.events });
  recording.stop();
  return crashedFile;
}

describe('recordChart', () => {
  it('writes one self-contained HTML file: inline SVG, data and script, nothing fetched', async () => {
    const html = await readFile(await recordCrash(), 'utf8');
    // The SVG rides inside the inline data, its `<` escaped so no `</script>` can end it early.
    expect(html).toContain('\\u003csvg');
    expect(html).toContain('id=\\"state:process.alive.errored\\"');
    expect(html).toContain('window.__GUV_RECORDING__');
    expect(html).not.toMatch(/src="\/assets|href="\/assets/);
    // Only XML namespace names, never something to fetch.
    for (const url of html.match(/https?:\/\/[^"\\ ]+/g) ?? []) expect(url).toMatch(/www\.w3\.org/);
  });

  it('records a machine it starts itself, transient states included', () => {
    const child = createFakeChild();
    const clock = new SimulatedClock();
    const recording = recordChart(processMachine.provide({ actors: { child: child.logic } }), {
      input: { id: 'w', spec: testSpec(), clock },
      clock,
    });
    recording.actor.send({ type: 'START' });
    child.fork();
    child.errored('boom');
    child.exit(1, null);
    clock.increment(1);
    expect(recording.transitions.map((t) => t.to)).toEqual([
      'starting',
      'forked',
      'errored',
      'restarting',
      'starting',
    ]);
    expect(recording.transitions.every((t) => t.edges.length > 0)).toBe(true);
    recording.actor.stop();
  });
});

describe.skipIf(!hasChromium)('a recorded chart in Chromium (file://)', () => {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows the end state lit, the history, and steps back through it', async () => {
    const file = await recordCrash();
    const page = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    try {
      await page.goto(pathToFileURL(file).href);
      const host = page.locator('#svg-host');
      await page.locator('#svg-host svg').waitFor();
      expect(await host.getAttribute('data-state')).toBe('process.alive.errored');
      expect(await page.locator('#actor-list li').first().getAttribute('data-status')).toBe(
        'errored',
      );
      const rows = page.locator('#history-rows tr');
      expect(await rows.locator('td:nth-child(3)').allTextContents()).toEqual([
        'starting',
        'forked',
        'running',
        'restarting',
        'starting',
        'forked',
        'errored',
      ]);
      expect(await rows.last().textContent()).toContain('EADDRINUSE');
      expect(await rows.nth(3).textContent()).toContain('code 1');
      await page.click('#prev');
      expect(await host.getAttribute('data-state')).toBe('process.alive.booting.forked');
      await rows.nth(3).click();
      expect(await host.getAttribute('data-state')).toBe('restarting');
      expect(await host.getAttribute('data-edges')).not.toBe('');
      await page.screenshot({ path: join(ARTIFACTS, 'recorded-step-back.png') });
      expect(await page.locator('#event-rows li').count()).toBeGreaterThan(5);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});

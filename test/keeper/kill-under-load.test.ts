import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProcessSummary } from '../../src/client/api.js';
import { freePort } from '../cluster/load.js';
import {
  alive,
  cleanupHome,
  crashDaemon,
  eventually,
  fixture,
  guv,
  makeHome,
  startDaemon,
  startTracked,
  type TestHome,
  writeDaemonConfig,
} from '../helpers/daemon-harness.js';

// issue 17: under load, kill -9 of the daemon at random moments costs no request, no app pid
// and no log line; a cluster's manager and workers keep their pids and serve throughout.
const KILLS = 20;

let home: TestHome;

afterEach(async () => {
  await cleanupHome(home);
}, 60_000);

function linesOf(h: TestHome): number[] {
  let text = '';
  try {
    text = readFileSync(h.logFile('web'), 'utf8');
  } catch {}
  return [...text.matchAll(/ line (\d+)$/gm)].map((match) => Number(match[1]));
}

describe('kill -9 of the daemon under load, with the keeper', () => {
  it(`${KILLS} × kill -9 under wrk: 0 failed requests, the same app pid, 0 lost or doubled log lines`, async () => {
    home = makeHome();
    writeDaemonConfig(home, { keeper: true });
    const client = await startDaemon(home);
    const started = await startTracked(client, home, fixture('keeper-http.js'), { name: 'web' });
    const pid = started.pid as number;
    await client.disconnect();
    const port = Number(
      (
        await eventually(
          () => readFileSync(home.logFile('web'), 'utf8').match(/listening on (\d+)/),
          'the port',
        )
      )[1],
    );

    const wrk = spawn('wrk', ['-t1', '-c8', '-d600s', `http://127.0.0.1:${port}/`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let report = '';
    wrk.stdout.setEncoding('utf8').on('data', (chunk: string) => (report += chunk));
    const recoveries: number[] = [];
    try {
      for (let kill = 0; kill < KILLS; kill++) {
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 400));
        await crashDaemon(home);
        const before = Date.now();
        const list = await guv(home, ['list', '--json']);
        recoveries.push(Date.now() - before);
        expect(list.code, list.stderr).toBe(0);
        const web = (JSON.parse(list.stdout) as ProcessSummary[]).find((p) => p.name === 'web');
        expect(web?.pid).toBe(pid);
        expect(web?.status).toBe('running');
      }
    } finally {
      wrk.kill('SIGINT');
    }
    await eventually(() => wrk.exitCode !== null || wrk.signalCode !== null, 'wrk’s report');
    const requests = Number(report.match(/(\d+) requests in/)?.[1] ?? 0);
    console.log(
      `keeper kill -9 × ${KILLS}: ${requests} requests; next command answered in ` +
        `${Math.min(...recoveries)}–${Math.max(...recoveries)} ms (median ${recoveries.sort((a, b) => a - b)[KILLS >> 1]} ms)`,
    );
    expect(requests).toBeGreaterThan(0);
    expect(report).not.toMatch(/Socket errors/);
    expect(report).not.toMatch(/Non-2xx/);
    expect(alive(pid)).toBe(true);

    const lines = linesOf(home);
    const max = Math.max(...lines);
    expect(max).toBeGreaterThan(100);
    // Every line from 1 to the last, each exactly once.
    expect(lines).toEqual(Array.from({ length: max }, (_, i) => i + 1));
  }, 300_000);
  it(`a 2-worker cluster: ${KILLS} × kill -9 under wrk, 0 failed requests, the same manager and worker pids`, async () => {
    home = makeHome();
    writeDaemonConfig(home, { keeper: true });
    const client = await startDaemon(home);
    const port = await freePort();
    await startTracked(client, home, fixture('cluster-http.js'), {
      name: 'web',
      instances: 2,
      env: { PORT: String(port) },
    });
    await client.disconnect();
    const pidsOf = (summary: ProcessSummary | undefined) => [
      summary?.pid,
      ...(summary?.workers ?? [])
        .filter((worker) => worker.role === 'serving' && worker.status === 'running')
        .sort((a, b) => a.index - b.index)
        .map((worker) => worker.pid),
    ];
    const listed = async () => {
      const list = await guv(home, ['list', '--json']);
      expect(list.code, list.stderr).toBe(0);
      return (JSON.parse(list.stdout) as ProcessSummary[]).find((p) => p.name === 'web');
    };
    const pids = await eventually(async () => {
      const web = await listed();
      return web?.status === 'running' && pidsOf(web).length === 3 ? pidsOf(web) : null;
    }, 'the cluster online');

    const wrk = spawn('wrk', ['-t1', '-c8', '-d600s', `http://127.0.0.1:${port}/`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let report = '';
    wrk.stdout.setEncoding('utf8').on('data', (chunk: string) => (report += chunk));
    try {
      for (let kill = 0; kill < KILLS; kill++) {
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 400));
        await crashDaemon(home);
        const web = await listed();
        expect(web?.status).toBe('running');
        expect(pidsOf(web)).toEqual(pids);
      }
    } finally {
      wrk.kill('SIGINT');
    }
    await eventually(() => wrk.exitCode !== null || wrk.signalCode !== null, 'wrk’s report');
    const requests = Number(report.match(/(\d+) requests in/)?.[1] ?? 0);
    console.log(`keeper kill -9 × ${KILLS} (cluster): ${requests} requests`);
    expect(requests).toBeGreaterThan(0);
    expect(report).not.toMatch(/Socket errors/);
    expect(report).not.toMatch(/Non-2xx/);
    for (const pid of pids) expect(alive(pid as number)).toBe(true);
  }, 300_000);
});

import { spawn } from 'node:child_process';
import { cpSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killLeftovers, pidsWithEnv } from './lib/proc.js';
import { rowsMarkdown } from './lib/rows-table.js';
import { makeTempDir, removeDir } from './lib/temp-dir.js';
import { median, runChecked, runCommand, sleep } from './lib/timing.js';

/**
 * Zero-downtime reload of a 2-worker cluster, guv against pm2 7 in the same run, for two apps:
 * a plain node:http app (no shutdown code) and one with the Express docs' SIGTERM handler
 * (`server.close()`). `wrk -t2 -c50` on 127.0.0.1 for 15 s once steady and once while reloading
 * 3 times. Figures: socket errors + non-2xx during the reloads, throughput while reloading ÷
 * steady throughput, the time one reload of 2 workers takes, and the time `stop` takes.
 */

const guvBin = fileURLToPath(new URL('../bin/guv.js', import.meta.url));
const pm2Bin = fileURLToPath(new URL('../node_modules/pm2/bin/pm2', import.meta.url));
const apps = [
  { name: 'plain', fixture: fileURLToPath(new URL('fixtures/http-plain.cjs', import.meta.url)) },
  {
    name: 'SIGTERM handler',
    fixture: fileURLToPath(new URL('fixtures/http-sigterm.cjs', import.meta.url)),
  },
];

export interface ClusterBenchOptions {
  /** Seconds of each wrk run (15 unless told). */
  seconds?: number;
  reloads?: number;
  log?: (line: string) => void;
}

export interface ClusterBenchRow {
  app: string;
  tool: string;
  'steady req/s': number;
  'req/s while reloading': number;
  'reloading ÷ steady': number;
  'socket errors + non-2xx': number;
  'one reload of 2 workers (ms)': number;
  'stop of 2 workers (ms)': number;
}

interface WrkResult {
  requestsPerSecond: number;
  errors: number;
}

interface ClusterTool {
  name: string;
  start(script: string, port: number): Promise<void>;
  /** One reload, resolved when the tool says it is done; returns its wall time in ms. */
  reload(): Promise<number>;
  /** Stops the cluster, resolved when the tool says it is stopped; returns its wall time in ms. */
  stop(): Promise<number>;
  dispose(): Promise<void>;
}

function guvTool(): ClusterTool {
  const home = makeTempDir('bench-guvcl');
  const env = { ...process.env, GUV_HOME: home };
  const cli = (...args: string[]) => runChecked([process.execPath, guvBin, ...args], { env });
  return {
    name: 'guv',
    async start(script, port) {
      await cli('start', script, '-i', '2', '-n', 'web', '--env', `PORT=${port}`);
    },
    async reload() {
      return (await cli('reload', 'web')).ms;
    },
    async stop() {
      return (await cli('stop', 'web')).ms;
    },
    async dispose() {
      await runCommand([process.execPath, guvBin, 'kill'], { env });
      killLeftovers(pidsWithEnv('GUV_HOME', home));
      removeDir(home);
    },
  };
}

function pm2Tool(): ClusterTool {
  const home = makeTempDir('bench-pm2cl');
  const env = { ...process.env, PM2_HOME: home };
  const cli = (...args: string[]) => runChecked([process.execPath, pm2Bin, ...args], { env });
  return {
    name: 'pm2 7.0.4',
    async start(script, port) {
      await runChecked([process.execPath, pm2Bin, 'start', script, '-i', '2', '--name', 'web'], {
        env: { ...env, PORT: String(port) },
      });
    },
    async reload() {
      return (await cli('reload', 'web')).ms;
    },
    async stop() {
      return (await cli('stop', 'web')).ms;
    },
    async dispose() {
      await runCommand([process.execPath, pm2Bin, 'kill'], { env });
      killLeftovers(pidsWithEnv('PM2_HOME', home));
      removeDir(home);
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once `count` answers in a row came back, over fresh connections. */
async function waitServing(port: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const agent = new http.Agent({ keepAlive: false });
  let inARow = 0;
  while (inARow < 20) {
    if (Date.now() > deadline) throw new Error(`nothing answered on port ${port}`);
    const ok = await new Promise<boolean>((resolve) => {
      http
        .get({ host: '127.0.0.1', port, agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode === 200));
        })
        .on('error', () => resolve(false));
    });
    inARow = ok ? inARow + 1 : 0;
    if (!ok) await sleep(50);
  }
}

function runWrk(port: number, seconds: number): Promise<WrkResult> {
  return new Promise((resolve, reject) => {
    const wrk = spawn('wrk', ['-t2', '-c50', `-d${seconds}s`, `http://127.0.0.1:${port}/`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    wrk.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    wrk.stderr.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    wrk.on('error', (error) =>
      reject(new Error(`wrk could not run (apt-get install -y wrk): ${error.message}`)),
    );
    wrk.on('close', (code) => {
      const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
      if (code !== 0 || !rps) return reject(new Error(`wrk failed (${code}): ${out}`));
      const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
        out,
      );
      const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
      const errors =
        (socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0) +
        (non2xx ? Number(non2xx[1]) : 0);
      resolve({ requestsPerSecond: Number(rps[1]), errors });
    });
  });
}

async function measure(
  app: (typeof apps)[number],
  tool: ClusterTool,
  seconds: number,
  reloads: number,
  log: (line: string) => void,
) {
  const dir = makeTempDir('bench-cluster-app');
  const script = join(dir, 'server.cjs');
  cpSync(app.fixture, script);
  try {
    const port = await freePort();
    await tool.start(script, port);
    await waitServing(port);
    log(`${tool.name}: steady wrk ${seconds} s`);
    const steady = await runWrk(port, seconds);
    log(`${tool.name}: wrk ${seconds} s with ${reloads} reloads`);
    const during = runWrk(port, seconds);
    const times: number[] = [];
    // Reloads spread over the run, each starting well after the previous one ended.
    const gapMs = (seconds * 1000) / (reloads + 1);
    for (let i = 0; i < reloads; i++) {
      await sleep(Math.max(0, gapMs - (times.at(-1) ?? 0)));
      times.push(await tool.reload());
    }
    const reloading = await during;
    log(`${tool.name}: stop`);
    const stopMs = await tool.stop();
    return {
      app: app.name,
      tool: tool.name,
      'steady req/s': Math.round(steady.requestsPerSecond),
      'req/s while reloading': Math.round(reloading.requestsPerSecond),
      'reloading ÷ steady': Number(
        (reloading.requestsPerSecond / steady.requestsPerSecond).toFixed(2),
      ),
      'socket errors + non-2xx': reloading.errors,
      'one reload of 2 workers (ms)': Math.round(median(times)),
      'stop of 2 workers (ms)': Math.round(stopMs),
    } satisfies ClusterBenchRow;
  } finally {
    await tool.dispose();
    removeDir(dir);
  }
}

/** guv then pm2, each in a private home, always stopped at the end (pm2 kill, guv kill). */
export async function benchCluster(options: ClusterBenchOptions = {}): Promise<ClusterBenchRow[]> {
  const seconds = options.seconds ?? 15;
  const reloads = options.reloads ?? 3;
  const log = options.log ?? (() => {});
  const rows: ClusterBenchRow[] = [];
  for (const app of apps) {
    for (const make of [guvTool, pm2Tool]) {
      log(`app: ${app.name}`);
      rows.push(await measure(app, make(), seconds, reloads, log));
    }
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  benchCluster({ log: (line) => console.error(line) }).then(
    (rows) => console.log(rowsMarkdown(rows)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}

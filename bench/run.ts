import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import {
  type DaemonFigureName,
  benchDaemon,
  daemonMarkdown,
  disposeLiveDrivers,
} from './daemon.js';
import { rowsMarkdown } from './lib/rows-table.js';

/**
 * `npm run bench [-- <bench>…] [--reps n] [--figures list,restart,…]`: runs the named benches
 * (all by default), prints each table, and writes them all to bench/results/latest.md.
 */
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    reps: { type: 'string' },
    figures: { type: 'string' },
  },
});

const benches: Record<string, { title: string; run: () => Promise<string> }> = {
  bus: {
    title: 'Event bus',
    run: async () => rowsMarkdown(await (await import('./bus.js')).benchBus()),
  },
  charts: {
    title: 'Charts',
    run: async () => rowsMarkdown(await (await import('./charts.js')).benchCharts()),
  },
  logs: {
    title: 'Logs',
    run: async () => {
      // bench/logs.ts is written separately; a missing export fails only this bench.
      const module = (await import('./logs.js' as string)) as {
        benchLogs?: () => Promise<object[]>;
      };
      if (!module.benchLogs) throw new Error('bench/logs.ts exports no benchLogs()');
      return rowsMarkdown(await module.benchLogs());
    },
  },
  'logs-daemon': {
    title: 'Logs through the daemons: 1M stdout lines vs pm2 and `cat > file`',
    run: async () =>
      rowsMarkdown(
        await (await import('./logs-daemon.js')).benchLogsDaemon({
          ...(values.reps ? { rounds: Number(values.reps) } : {}),
          log: (line) => console.error(line),
        }),
      ),
  },
  keeper: {
    title: 'Keeper: resident memory (issue 17 goal: ≤ 10 MiB over node’s floor)',
    run: async () => rowsMarkdown(await (await import('./keeper.js')).benchKeeper()),
  },
  heap: {
    title: 'Heap snapshot summary',
    run: async () => rowsMarkdown(await (await import('./heap.js')).benchHeap()),
  },
  cluster: {
    title: 'Cluster: zero-downtime reload under load vs pm2',
    run: async () =>
      rowsMarkdown(
        await (await import('./cluster.js')).benchCluster({ log: (line) => console.error(line) }),
      ),
  },
  daemon: {
    title: 'Daemon and CLI vs pm2',
    run: async () => {
      const figures = await benchDaemon({
        ...(values.reps ? { repetitions: Number(values.reps) } : {}),
        ...(values.figures ? { figures: values.figures.split(',') as DaemonFigureName[] } : {}),
        log: (line) => console.error(line),
      });
      return daemonMarkdown(figures);
    },
  },
};

const unknown = positionals.filter((name) => !(name in benches));
if (unknown.length > 0) {
  console.error(`unknown bench: ${unknown.join(', ')} (known: ${Object.keys(benches).join(', ')})`);
  process.exit(2);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping every daemon the benches started`);
    disposeLiveDrivers().finally(() => process.exit(130));
  });
}

const selected = positionals.length > 0 ? positionals : Object.keys(benches);
const sections: string[] = [];
let failed = 0;
for (const name of selected) {
  const bench = benches[name]!;
  console.error(`running ${name}…`);
  const start = Date.now();
  let body: string;
  try {
    body = await bench.run();
  } catch (error) {
    failed++;
    body = `failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  }
  const section = `## ${bench.title}\n\n${body}\n\n_${name}: ${((Date.now() - start) / 1000).toFixed(1)} s_`;
  console.log(`\n${section}\n`);
  sections.push(section);
}

const header =
  `# guv benchmarks\n\n${new Date().toISOString()}, node ${process.version}, ` +
  `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg()
    .map((n) => n.toFixed(2))
    .join(' ')} at the end`;
const resultsDir = new URL('./results/', import.meta.url);
mkdirSync(resultsDir, { recursive: true });
writeFileSync(new URL('latest.md', resultsDir), `${header}\n\n${sections.join('\n\n')}\n`);
console.error(`wrote bench/results/latest.md`);
process.exitCode = failed > 0 ? 1 : 0;

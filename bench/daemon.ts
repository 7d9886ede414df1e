import { pathToFileURL } from 'node:url';
import {
  type DaemonFigure,
  type DriverFactory,
  disposeAll,
  setUpEach,
  type Tool,
} from './lib/figure.js';
import { autostartFigure, listFigure } from './lib/figure-cli.js';
import { memoryFigures } from './lib/figure-memory.js';
import { type MarkedDriver, restartFigure } from './lib/figure-restart.js';
import { type StartVariant, startManyFigures } from './lib/figure-start-many.js';
import { createGuvDriver } from './lib/guv-driver.js';
import { allRunning, idleAppNames, type ManagerDriver } from './lib/manager.js';
import { createPm2Driver } from './lib/pm2-driver.js';
import { killLeftovers, pidsWithCommandLine } from './lib/proc.js';
import { formatNumber, markdownTable } from './lib/table.js';
import { makeTempDir, placeIdleFixture, removeDir } from './lib/temp-dir.js';
import { waitFor } from './lib/timing.js';

export type { DaemonFigure };

export type DaemonFigureName = 'list' | 'restart' | 'autostart' | 'start-many' | 'memory';

export interface DaemonBenchOptions {
  tools?: Tool[];
  figures?: DaemonFigureName[];
  /** Repetitions of the quick figures (list, autostart, restart); the slow ones use fewer. */
  repetitions?: number;
  log?: (line: string) => void;
}

/** Every driver not yet disposed, so an interrupted run can still stop every daemon. */
const live = new Set<ManagerDriver>();

function tracked(create: () => ManagerDriver): () => ManagerDriver {
  return () => {
    const driver = create();
    const dispose = driver.dispose.bind(driver);
    driver.dispose = async () => {
      try {
        await dispose();
      } finally {
        live.delete(driver);
      }
    };
    live.add(driver);
    return driver;
  };
}

/** Stops every daemon a bench started and has not stopped yet (for signal handlers). */
export async function disposeLiveDrivers(): Promise<void> {
  await disposeAll([...live]);
}

const factories: DriverFactory = {
  guv: tracked(() => createGuvDriver()),
  pm2: tracked(() => createPm2Driver()),
};
const guvThroughApi = tracked(() => createGuvDriver({ startVia: 'api' }));

/**
 * issue 3's "Speed" figures, guv and pm2 in the same run, each tool in private temporary homes
 * that are removed (daemons killed) afterwards, also when a figure throws.
 */
export async function benchDaemon(options: DaemonBenchOptions = {}): Promise<DaemonFigure[]> {
  const tools = options.tools ?? ['guv', 'pm2'];
  const wanted = new Set<DaemonFigureName>(
    options.figures ?? ['list', 'restart', 'autostart', 'start-many', 'memory'],
  );
  const reps = options.repetitions ?? 10;
  const log = options.log ?? (() => {});
  const figures: DaemonFigure[] = [];
  const began = Date.now();
  const elapsed = () => `at ${((Date.now() - began) / 1000).toFixed(0)} s`;
  const work = makeTempDir('bench-fixture');
  try {
    const plainScript = placeIdleFixture(work);

    if (wanted.has('list') || wanted.has('restart')) {
      log(`daemon: list and restart, ${reps} idle apps per tool`);
      figures.push(...(await listAndRestart(tools, wanted, reps)));
    }
    if (wanted.has('autostart')) {
      log(`daemon: first command with autostart (${elapsed()})`);
      figures.push(await autostartFigure(factories, tools, Math.max(3, Math.ceil(reps * 0.8))));
    }
    if (wanted.has('start-many')) {
      log(`daemon: 50 apps from nothing (${elapsed()})`);
      const variants: StartVariant[] = [];
      if (tools.includes('guv')) {
        variants.push({ tool: 'guv', label: 'CLI', create: factories.guv });
        variants.push({ tool: 'guv', label: 'API', create: guvThroughApi });
      }
      if (tools.includes('pm2'))
        variants.push({ tool: 'pm2', label: 'CLI', create: factories.pm2 });
      figures.push(...(await startManyFigures(variants, plainScript, 50, 4)));
    }
    if (wanted.has('memory')) {
      log(`daemon: memory with 100 idle apps (${elapsed()})`);
      // Only the memory is measured here, so each tool starts its apps the fastest way.
      const memoryFactories: DriverFactory = { guv: guvThroughApi, pm2: factories.pm2 };
      figures.push(
        ...(await memoryFigures(memoryFactories, tools, plainScript, 100, {
          settleMs: 3000,
          steadyMs: 15_000,
        })),
      );
    }
    log(`daemon: done (${elapsed()})`);
  } finally {
    await disposeLiveDrivers();
    killLeftovers(pidsWithCommandLine(work));
    removeDir(work);
  }
  return figures;
}

/** Figures 1 and 6 share one daemon per tool with the same 10 marking apps. */
async function listAndRestart(
  tools: readonly Tool[],
  wanted: ReadonlySet<DaemonFigureName>,
  reps: number,
): Promise<DaemonFigure[]> {
  const names = idleAppNames(reps);
  const dirs: string[] = [];
  const marked: MarkedDriver[] = [];
  const errors: DaemonFigure['errors'] = {};
  const markingFixture = () => {
    const dir = makeTempDir('bench-marks');
    dirs.push(dir);
    return { script: placeIdleFixture(dir, { marks: true }), marksDir: `${dir}/marks` };
  };
  let drivers: ManagerDriver[] = [];
  try {
    drivers = await setUpEach(factories, tools, errors, async (driver) => {
      const { script, marksDir } = markingFixture();
      await driver.startMany(script, names);
      await waitFor(
        `${driver.tool}: ${names.length} apps running`,
        () => allRunning(driver, names),
        {
          timeoutMs: 60_000,
          intervalMs: 100,
        },
      );
      marked.push({ driver, marksDir });
    });
    const figures: DaemonFigure[] = [];
    if (wanted.has('list')) figures.push(await listFigure(drivers, names.length, reps * 2, errors));
    if (wanted.has('restart')) {
      const node = markingFixture();
      figures.push(await restartFigure(marked, names, node.marksDir, errors));
    }
    return figures;
  } finally {
    await disposeAll(drivers);
    for (const dir of dirs) {
      killLeftovers(pidsWithCommandLine(dir));
      removeDir(dir);
    }
  }
}

const unitSuffix: Record<DaemonFigure['unit'], (value: string) => string> = {
  '×node': (value) => `${value}×`,
  MiB: (value) => `${value} MiB`,
  '+MiB': (value) => `+${value} MiB`,
  s: (value) => `${value} s`,
};

/** The daemon table in markdown, one row per figure; failures are listed under it. */
export function daemonMarkdown(figures: readonly DaemonFigure[]): string {
  const cell = (figure: DaemonFigure, value: number | null, tool: Tool) =>
    value === null
      ? `failed${figure.errors[tool] ? ' (see below)' : ''}`
      : unitSuffix[figure.unit](
          formatNumber(value, figure.unit === 'MiB' || figure.unit === '+MiB' ? 1 : 2),
        );
  const rows = figures.map((figure) => [
    figure.figure,
    cell(figure, figure.guv, 'guv'),
    cell(figure, figure.pm2, 'pm2'),
    figure.goal,
    figure.issuePm2,
    String(figure.repetitions),
    figure.how,
  ]);
  const table = markdownTable(
    ['figure', 'guv', 'pm2', 'guv goal', 'pm2 (issue 3)', 'reps', 'how'],
    rows,
  );
  const failures = figures.flatMap((figure) =>
    Object.entries(figure.errors).map(([tool, error]) => `- ${figure.figure}, ${tool}: ${error}`),
  );
  return failures.length === 0
    ? table
    : `${table}\n\nFailures:\n${[...new Set(failures)].join('\n')}`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(daemonMarkdown(await benchDaemon({ log: (line) => console.error(line) })));
}

// Bundles the daemon's and the CLI's entries after tsc into one CommonJS file each, run by
// dist/bundle-runner.cjs with a V8 code cache. Fewer modules to load and nothing to compile
// means a faster command and a faster, smaller daemon. CommonJS on purpose: an ES module entry
// makes Node set up its ESM loader first (~8 ms of a ~80 ms `guv list`). Code behind import()
// is still evaluated only when first used (esbuild wraps each such module). The library build
// (dist/index.js, guv/machines, guv/testing) stays as tsc wrote it.
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

// ES-module-only or large packages used by a few commands (git, heap summaries, the visualiser's
// Graphviz, TLS certificates, YAML apps files), loaded from node_modules with import() when used.
const external = ['tinypool', 'dugite', '@viz-js/viz', 'selfsigned', 'yaml'];

/**
 * The daemon logs with pino to a file, on its main thread, and never uses pino's transports
 * (which run in worker threads). Left in, they load node:worker_threads at start-up: ~2 MiB of
 * resident memory for nothing. In the daemon bundle, pino sees `isMainThread: true` (what the
 * daemon is) and a thread-stream that says transports are not available.
 */
const pinoWithoutWorkers = {
  name: 'pino-without-workers',
  setup(build) {
    build.onResolve({ filter: /^(worker_threads|thread-stream)$/ }, (args) =>
      args.importer.includes('/node_modules/pino/')
        ? { path: args.path, namespace: 'pino-without-workers' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'pino-without-workers' }, (args) => ({
      contents:
        args.path === 'worker_threads'
          ? 'module.exports = { isMainThread: true };'
          : "module.exports = class ThreadStream { constructor() { throw new Error('pino transports are not part of the guv daemon'); } };",
      loader: 'js',
    }));
  },
};

/**
 * commander requires node:child_process for "executable" subcommands (a separate program per
 * command), which guv never declares. Loading it costs `guv list` ~2.5 ms of its ~80 ms: in the
 * CLI bundle, commander gets an empty stand-in.
 */
const commanderWithoutChildProcess = {
  name: 'commander-without-child-process',
  setup(build) {
    build.onResolve({ filter: /^node:child_process$/ }, (args) =>
      args.importer.includes('/node_modules/commander/')
        ? { path: args.path, namespace: 'commander-without-child-process' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'commander-without-child-process' }, () => ({
      contents:
        "const refuse = () => { throw new Error('guv declares no executable subcommands'); };\nmodule.exports = { spawn: refuse, execFileSync: refuse };",
      loader: 'js',
    }));
  },
};

const bundles = [
  { entry: 'dist/daemon/main.js', outfile: 'dist/daemon/daemon.cjs', plugins: [pinoWithoutWorkers] },
  {
    entry: 'dist/cli/main.js',
    outfile: 'dist/cli/guv.cjs',
    plugins: [commanderWithoutChildProcess],
  },
  // `guv web`'s dashboard, a process of its own supervised by the daemon (src/dashboard).
  { entry: 'dist/dashboard/main.js', outfile: 'dist/dashboard/dashboard.cjs', plugins: [] },
  // The keeper outlives daemons: Node built-ins and a few small modules of guv, nothing else.
  { entry: 'dist/keeper/main.js', outfile: 'dist/keeper/keeper.cjs', plugins: [] },
];

// The dashboard's pages (the npm build script copies only src/web/static).
rmSync('dist/dashboard/static', { recursive: true, force: true });
cpSync('src/dashboard/static', 'dist/dashboard/static', { recursive: true });

rmSync('dist/daemon/chunks', { recursive: true, force: true });
for (const { entry, outfile, plugins } of bundles) {
  rmSync(`${outfile}.v8cache`, { force: true });
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // Whitespace and syntax only: identifiers stay readable in logged stack traces.
    minifyWhitespace: true,
    minifySyntax: true,
    external,
    plugins,
    define: { 'import.meta.url': '__guvModuleUrl' },
    banner: { js: "const __guvModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
    logLevel: 'warning',
  });
  // vm.Script code has no import() of its own: dist/bundle-runner.cjs passes `__guvImport`.
  let code = readFileSync(outfile, 'utf8');
  for (const name of external) code = code.replaceAll(`import("${name}")`, `__guvImport("${name}")`);
  // esbuild keeps import() of a builtin; in CommonJS a require at the same moment is the same.
  code = code.replace(/\bimport\("(node:[a-z_/]+)"\)/g, 'Promise.resolve(require("$1"))');
  // import() of a computed specifier (an apps file's URL, in src/config/load.ts) goes the same way.
  code = code.replace(/\bimport\(([A-Za-z_$][\w$]*)\)/g, '__guvImport($1)');
  const left = code.match(/\bimport\(/);
  if (left) throw new Error(`${outfile}: an import() the bundle runner cannot serve is left`);
  writeFileSync(outfile, code);
}

// Bundles the daemon's and the CLI's entries after tsc into one CommonJS file each, run by
// dist/bundle-runner.cjs with a V8 code cache. Fewer modules to load and nothing to compile
// means a faster command and a faster, smaller daemon. CommonJS on purpose: an ES module entry
// makes Node set up its ESM loader first (~8 ms of a ~80 ms `guv list`). Code behind import()
// is still evaluated only when first used (esbuild wraps each such module). The library build
// (dist/index.js, guv/machines, guv/testing) stays as tsc wrote it.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

// ES-module-only or large packages used by a few commands, loaded with import() when used.
const external = ['tinypool', 'dugite', '@viz-js/viz'];

const bundles = [
  { entry: 'dist/daemon/main.js', outfile: 'dist/daemon/daemon.cjs' },
  { entry: 'dist/cli/main.js', outfile: 'dist/cli/guv.cjs' },
];

rmSync('dist/daemon/chunks', { recursive: true, force: true });
for (const { entry, outfile } of bundles) {
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
    define: { 'import.meta.url': '__guvModuleUrl' },
    banner: { js: "const __guvModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
    logLevel: 'warning',
  });
  // vm.Script code has no import() of its own: dist/bundle-runner.cjs passes `__guvImport`.
  let code = readFileSync(outfile, 'utf8');
  for (const name of external) code = code.replaceAll(`import("${name}")`, `__guvImport("${name}")`);
  // esbuild keeps import() of a builtin; in CommonJS a require at the same moment is the same.
  code = code.replace(/\bimport\("(node:[a-z_/]+)"\)/g, 'Promise.resolve(require("$1"))');
  const left = code.match(/\bimport\(/);
  if (left) throw new Error(`${outfile}: an import() the bundle runner cannot serve is left`);
  writeFileSync(outfile, code);
}

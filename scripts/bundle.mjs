// Bundles the daemon's entry into one file after tsc: fewer modules to load means a faster
// first command (the daemon starts sooner) and a smaller resident daemon. The library build
// (dist/index.js, guv/machines, guv/testing) stays as tsc wrote it.
import { build } from 'esbuild';

await build({
  entryPoints: { main: 'dist/daemon/main.js' },
  outdir: 'dist/daemon',
  // Code loaded with import() (the web UI, the metrics endpoint, the heavy-work pool, git)
  // becomes chunks of its own, loaded on first use only.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Whitespace and syntax only: identifiers stay readable in the daemon's logged stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  external: ['tinypool', 'dugite'],
  banner: { js: "import { createRequire as __guvRequire } from 'node:module'; const require = __guvRequire(import.meta.url);" },
  logLevel: 'warning',
});

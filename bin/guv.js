#!/usr/bin/env node
// CommonJS (bin/package.json): see scripts/bundle.mjs for why the CLI is not an ES module.
const { join } = require('node:path');
const bundle = join(__dirname, '../dist/cli/guv.cjs');
let runner;
try {
  runner = require('../dist/bundle-runner.cjs');
  require('node:fs').accessSync(bundle);
} catch {
  process.stderr.write("guv: the CLI is not built here: run 'npm run build' first\n");
  process.exit(1);
}
runner.runBundle(bundle, { writeCache: 'exit' });

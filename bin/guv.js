#!/usr/bin/env node
// CommonJS (bin/package.json): see scripts/bundle.mjs for why the CLI is not an ES module.
const { join } = require('node:path');
const bundle = join(__dirname, '../dist/cli/guv.cjs');
const notBuilt = () => {
  process.stderr.write("guv: the CLI is not built here: run 'npm run build' first\n");
  process.exit(1);
};
let runner;
try {
  runner = require('../dist/bundle-runner.cjs');
} catch {
  notBuilt();
}
try {
  runner.runBundle(bundle, { writeCache: 'exit' });
} catch (error) {
  // Only a missing bundle is "not built"; the CLI's own errors are its to report.
  if (error.code === 'ENOENT' && error.path === bundle) notBuilt();
  throw error;
}

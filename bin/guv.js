#!/usr/bin/env node
// CommonJS (bin/package.json): see scripts/bundle.mjs for why the CLI is not an ES module.
const { join } = require('node:path');
require('../dist/bundle-runner.cjs').runBundle(join(__dirname, '../dist/cli/guv.cjs'), { writeCache: 'exit' });

/** The dashboard process's entry: `node dist/dashboard/start.cjs` runs the bundled dashboard (main.ts). */
import path = require('node:path');
import bundleRunner = require('../bundle-runner.cjs');

bundleRunner.runBundle(path.join(__dirname, 'dashboard.cjs'), { writeCache: 'started' });

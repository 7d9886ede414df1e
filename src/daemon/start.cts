/** The daemon process's entry: `node dist/daemon/start.cjs` runs the bundled daemon (main.ts). */
import path = require('node:path');
import bundleRunner = require('../bundle-runner.cjs');

bundleRunner.runBundle(path.join(__dirname, 'daemon.cjs'), { writeCache: 'started' });

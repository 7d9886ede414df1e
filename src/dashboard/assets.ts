import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { packageRoot } from '../build-output.js';
import { createAssetCache, sharedAssetFiles } from '../web/assets.js';

// The build copies the pages to dist/dashboard/static; from source, the sources serve.
function staticDir(): string {
  const built = join(packageRoot(), 'dist', 'dashboard', 'static');
  return existsSync(built) ? built : join(packageRoot(), 'src', 'dashboard', 'static');
}

/**
 * URL path → file of every asset the dashboard serves: its own pages, uPlot from the package's
 * node_modules, and what it shares with the `guv ui` viewer (the statechart view, Graphviz, the
 * event stream reader, the common styles).
 */
export function dashboardAssetFiles(): Map<string, string> {
  const dir = staticDir();
  const require = createRequire(join(packageRoot(), 'package.json'));
  const uplot = dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));
  return new Map([
    ['/', join(dir, 'index.html')],
    ['/assets/dashboard.js', join(dir, 'dashboard.js')],
    ['/assets/dashboard.css', join(dir, 'dashboard.css')],
    ['/assets/uplot.js', join(uplot, 'uPlot.iife.min.js')],
    ['/assets/uplot.css', join(uplot, 'uPlot.min.css')],
    ...sharedAssetFiles(),
  ]);
}

export function createDashboardAssets() {
  return createAssetCache(dashboardAssetFiles());
}

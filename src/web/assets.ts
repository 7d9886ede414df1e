import { existsSync } from 'node:fs';
import { readFile } from '../fs/async-fs.js';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { packageRoot } from '../build-output.js';

export interface Asset {
  body: Buffer;
  type: string;
}

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

// The build copies the page to dist/web/static; from source, the sources serve.
export function staticDir(): string {
  const built = join(packageRoot(), 'dist', 'web', 'static');
  return existsSync(built) ? built : join(packageRoot(), 'src', 'web', 'static');
}

/** Graphviz in WASM for the browser: the page draws each chart's SVG itself (see README). */
function vizBundle(): string {
  const require = createRequire(join(packageRoot(), 'package.json'));
  return join(dirname(require.resolve('@viz-js/viz')), 'viz-global.js');
}

/** URL path → file of every asset the server hands out; nothing else is ever read from disk. */
export function assetFiles(): Map<string, string> {
  const dir = staticDir();
  return new Map([
    ['/', join(dir, 'index.html')],
    ['/assets/app.js', join(dir, 'app.js')],
    ['/assets/app.css', join(dir, 'app.css')],
    ...sharedAssetFiles(),
  ]);
}

/** The files `guv ui` shares with the `guv web` dashboard, which serves them too. */
export function sharedAssetFiles(): Map<string, string> {
  const dir = staticDir();
  return new Map([
    ['/assets/common.css', join(dir, 'common.css')],
    ['/assets/event-stream.js', join(dir, 'event-stream.js')],
    ['/assets/chart-view.js', join(dir, 'chart-view.js')],
    ['/assets/viz.js', vizBundle()],
  ]);
}

/** Reads each asset once, on first request, then serves it from memory. */
export function createAssetCache(
  files = assetFiles(),
): (path: string) => Promise<Asset | undefined> {
  const cache = new Map<string, Promise<Asset>>();
  return (path) => {
    const file = files.get(path);
    if (file === undefined) return Promise.resolve(undefined);
    let asset = cache.get(path);
    if (asset === undefined) {
      const type = TYPES[file.slice(file.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
      asset = readFile(file).then((body) => ({ body, type }));
      asset.catch(() => cache.delete(path));
      cache.set(path, asset);
    }
    return asset;
  };
}

import { lstatSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GuvError } from '../errors.js';

const MAX_PACKAGE_JSON = 1024 * 1024;
const MAX_DEPTH = 64;

export type LoaderName = 'tsx' | 'ts-node';

/**
 * The node flags that let Node run a TypeScript script with guv's wrapper still preloaded:
 * tsx's loader as `--import` (ESM and CommonJS), or ts-node's `--require` hook.
 */
function loaderFlags(name: LoaderName, packageDir: string): string[] | null {
  if (name === 'ts-node') {
    const hook = join(packageDir, 'register/index.js');
    return isFile(hook) ? ['--require', hook] : null;
  }
  const entry = exportedEntry(packageDir);
  return entry && isFile(entry) ? ['--import', pathToFileURL(entry).href] : null;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The file tsx's `"."` export names (what `--import tsx` would load), kept inside its package. */
function exportedEntry(packageDir: string): string | null {
  const manifest = join(packageDir, 'package.json');
  try {
    const info = lstatSync(manifest);
    if (!info.isFile() || info.size > MAX_PACKAGE_JSON) return null;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: unknown };
    const dot = (pkg.exports as Record<string, unknown> | undefined)?.['.'];
    const target =
      typeof dot === 'string'
        ? dot
        : typeof dot === 'object' && dot !== null
          ? ((dot as Record<string, unknown>).import ?? (dot as Record<string, unknown>).default)
          : undefined;
    if (typeof target !== 'string') return null;
    const entry = resolve(packageDir, target);
    return relative(packageDir, entry).startsWith('..') ? null : entry;
  } catch {
    return null;
  }
}

/** `node_modules/<name>` in `dir` or any folder above it, as Node's own resolution walks. */
function findPackageAbove(dir: string, name: LoaderName): string | null {
  let current = dir;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const candidate = join(current, 'node_modules', name);
    if (isFile(join(candidate, 'package.json'))) return candidate;
    const parent = dirname(current);
    if (parent === current) return null;
    current = parent;
  }
  return null;
}

/** The package folder holding a runner found on PATH (`.bin/tsx` → `…/tsx`). */
function packageOfBin(bin: string, name: LoaderName): string | null {
  let current: string;
  try {
    current = dirname(realpathSync(bin));
  } catch {
    return null;
  }
  for (let depth = 0; depth < 8; depth++) {
    if (basename(current) === name && isFile(join(current, 'package.json'))) return current;
    const parent = dirname(current);
    if (parent === current) return null;
    current = parent;
  }
  return null;
}

export interface LoaderSearch {
  /** The runner asked for with `--interpreter tsx|ts-node`, tried first. */
  preferred: LoaderName | null;
  /** That runner found on the caller's PATH, tried when the project has none. */
  onPath: string | null;
}

/**
 * The loader flags for a TypeScript `script`: the project's tsx (or ts-node), found walking up
 * from the script's folder, else the runner named by `--interpreter` from PATH. Throws
 * GUV_NO_TS_LOADER in one line saying how to fix it.
 *
 * @example
 * typescriptLoader('/srv/api/src/server.ts', { preferred: null, onPath: null });
 * // ['--import', 'file:///srv/api/node_modules/tsx/dist/loader.mjs']
 */
export function typescriptLoader(script: string, search: LoaderSearch): string[] {
  const order: LoaderName[] =
    search.preferred === 'ts-node' ? ['ts-node', 'tsx'] : ['tsx', 'ts-node'];
  for (const name of order) {
    const dir = findPackageAbove(dirname(script), name);
    const flags = dir && loaderFlags(name, dir);
    if (flags) return flags;
  }
  if (search.preferred && search.onPath) {
    const dir = packageOfBin(search.onPath, search.preferred);
    const flags = dir && loaderFlags(search.preferred, dir);
    if (flags) return flags;
  }
  throw new GuvError(
    'GUV_NO_TS_LOADER',
    `${basename(script)} is TypeScript and no tsx or ts-node was found above ${dirname(script)}: run "npm install -D tsx" in the project, or pick another --interpreter`,
  );
}

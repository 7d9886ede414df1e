import { lstatSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GuvError } from '../errors.js';
import { type PathTrust, untrusted } from './command-path.js';

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

/** Null when root may load code from `dir/node_modules/<name>` (see {@link untrusted}). */
function untrustedPackage(folder: string, candidate: string, trust: PathTrust): string | null {
  for (const path of [folder, candidate]) {
    try {
      const why = untrusted(statSync(path), trust);
      if (why) return `${path} ${why}`;
    } catch {
      return `${path} is gone`;
    }
  }
  return null;
}

/**
 * `node_modules/<name>` in `dir` or any folder above it, as Node's own resolution walks; for a
 * root child, one another user controls (a /tmp/node_modules) is passed over.
 */
export function findPackageAbove(
  dir: string,
  name: LoaderName,
  trust: PathTrust,
  passedOver: string[],
): string | null {
  let current = dir;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const folder = join(current, 'node_modules');
    const candidate = join(folder, name);
    if (isFile(join(candidate, 'package.json'))) {
      const why = untrustedPackage(folder, candidate, trust);
      if (why === null) return candidate;
      passedOver.push(why);
    }
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
  /** Whose folders a root child may load the loader from. */
  trust: PathTrust;
}

/**
 * The loader flags for a TypeScript `script`: the project's tsx (or ts-node), found walking up
 * from the script's folder, else the runner named by `--interpreter` from PATH. Throws
 * GUV_NO_TS_LOADER in one line saying how to fix it.
 *
 * @example
 * typescriptLoader('/srv/api/src/server.ts', { preferred: null, onPath: null, trust });
 * // ['--import', 'file:///srv/api/node_modules/tsx/dist/loader.mjs']
 */
export function typescriptLoader(script: string, search: LoaderSearch): string[] {
  const order: LoaderName[] =
    search.preferred === 'ts-node' ? ['ts-node', 'tsx'] : ['tsx', 'ts-node'];
  const passedOver: string[] = [];
  for (const name of order) {
    const dir = findPackageAbove(dirname(script), name, search.trust, passedOver);
    const flags = dir && loaderFlags(name, dir);
    if (flags) return flags;
  }
  if (search.preferred && search.onPath) {
    const dir = packageOfBin(search.onPath, search.preferred);
    const flags = dir && loaderFlags(search.preferred, dir);
    if (flags) return flags;
  }
  const skipped =
    passedOver.length > 0
      ? ` (passed over, as root loads nothing another user controls: ${passedOver.join(', ')})`
      : '';
  throw new GuvError(
    'GUV_NO_TS_LOADER',
    `${basename(script)} is TypeScript and no tsx or ts-node was found above ${dirname(script)}${skipped}: run "npm install -D tsx" in the project, or pick another --interpreter`,
  );
}

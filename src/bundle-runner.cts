/**
 * Runs one of guv's CommonJS bundles (the daemon, the CLI) with a V8 code cache kept beside it,
 * so a start skips parsing and compiling the code it ran last time: the daemon's first command
 * comes up ~20 ms sooner. Node 20 has no module compile cache of its own (Node 22's
 * `module.enableCompileCache` is the same idea), hence `vm.Script` and `cachedData` here.
 *
 * CommonJS with node builtins only: it is the first file node loads.
 *
 * The cache file starts with a key line (the bundle's size and mtime, node's version and arch)
 * because V8 checks only the source's length: a rebuilt bundle of the same length must never
 * run the previous build's code. V8 itself rejects a cache made under other flags; a missing,
 * stale or rejected cache is simply rewritten. Every cache error is ignored: a read-only install
 * runs without one.
 */
import fs = require('node:fs');
import Module = require('node:module');
import path = require('node:path');
import vm = require('node:vm');

interface RunBundleOptions {
  /**
   * When to write a missing or stale cache: at `'exit'` (a short-lived CLI: everything it ran is
   * compiled by then), or as soon as the bundle's synchronous start has run (`'started'`: a
   * daemon, which may change V8 flags later, and V8 rejects a cache made under other flags).
   */
  writeCache: 'exit' | 'started';
}

const KEY_END = 0x0a;

// Node's CommonJS wrapper plus `__guvImport`: code run by vm.Script cannot use import() without
// an experimental flag, so the bundles' import() of ES-module-only packages (tinypool, dugite,
// viz) is rewritten at build time to call this module's own import() (scripts/bundle.mjs).
const WRAPPER_HEAD = '(function (exports, require, module, __filename, __dirname, __guvImport) { ';
const WRAPPER_TAIL = '\n});';

function importEsm(specifier: string): Promise<unknown> {
  return import(specifier);
}

/** Loads and runs `bundlePath` as the CommonJS module `module`, like `require` would. */
function runBundle(bundlePath: string, options: RunBundleOptions): void {
  const filename = path.resolve(bundlePath);
  const source = fs.readFileSync(filename, 'utf8');
  const cacheFile = `${filename}.v8cache`;
  const key = cacheKey(filename, source);
  const cachedData = readCache(cacheFile, key);
  const script = new vm.Script(`${WRAPPER_HEAD}${source}${WRAPPER_TAIL}`, {
    filename,
    ...(cachedData ? { cachedData } : {}),
  });
  const stale = cachedData === undefined || script.cachedDataRejected === true;
  if (stale && options.writeCache === 'exit') {
    process.once('exit', () => writeCache(cacheFile, key, script));
  }
  const bundleModule = new Module(filename, module);
  bundleModule.filename = filename;
  bundleModule.paths = (
    Module as unknown as { _nodeModulePaths(dir: string): string[] }
  )._nodeModulePaths(path.dirname(filename));
  const run = script.runInThisContext() as (
    exports: unknown,
    require: NodeJS.Require,
    module: Module,
    filename: string,
    dirname: string,
    importEsm: (specifier: string) => Promise<unknown>,
  ) => void;
  run(
    bundleModule.exports,
    Module.createRequire(filename),
    bundleModule,
    filename,
    path.dirname(filename),
    importEsm,
  );
  if (stale && options.writeCache === 'started') writeCache(cacheFile, key, script);
}

function cacheKey(filename: string, source: string): string {
  const { mtimeMs } = fs.statSync(filename);
  return `${source.length} ${mtimeMs} ${process.version} ${process.arch}`;
}

function readCache(cacheFile: string, key: string): Buffer | undefined {
  let data: Buffer;
  try {
    data = fs.readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  const end = data.indexOf(KEY_END);
  if (end === -1 || data.toString('utf8', 0, end) !== key) return undefined;
  return data.subarray(end + 1);
}

function writeCache(cacheFile: string, key: string, script: vm.Script): void {
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(
      temporary,
      Buffer.concat([Buffer.from(`${key}\n`), script.createCachedData()]),
    );
    fs.renameSync(temporary, cacheFile);
  } catch {
    try {
      fs.rmSync(temporary, { force: true });
    } catch {}
  }
}

export = { runBundle };

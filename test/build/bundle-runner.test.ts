import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const runner = resolve(import.meta.dirname, '../../dist/bundle-runner.cjs');
const dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'guv-bundle-runner-'));
  dirs.push(dir);
  return dir;
}

/** Runs `bundle` through the built runner in a fresh node and returns what it printed. */
function run(bundle: string, writeCache: 'exit' | 'started' = 'exit'): string {
  const code = `require(${JSON.stringify(runner)}).runBundle(${JSON.stringify(bundle)}, { writeCache: ${JSON.stringify(writeCache)} })`;
  return execFileSync(process.execPath, ['-e', code], { encoding: 'utf8' });
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the bundle runner', () => {
  it('runs a bundle as a CommonJS module and keeps a code cache for the next run', () => {
    const dir = tempDir();
    const bundle = join(dir, 'app.cjs');
    writeFileSync(
      bundle,
      "process.stdout.write(typeof require('node:path').join + ' ' + __filename);",
    );
    expect(run(bundle)).toBe(`function ${bundle}`);
    const cache = readFileSync(`${bundle}.v8cache`);
    const key = cache.subarray(0, cache.indexOf(10)).toString();
    const size = readFileSync(bundle, 'utf8').length;
    expect(key).toBe(`${size} ${statSync(bundle).mtimeMs} ${process.version} ${process.arch}`);
    expect(cache.length).toBeGreaterThan(key.length + 1);
    expect(run(bundle)).toBe(`function ${bundle}`);
  });

  it('never runs the code of a previous build, even one of the same length', () => {
    const dir = tempDir();
    const bundle = join(dir, 'app.cjs');
    writeFileSync(bundle, "process.stdout.write('old');");
    expect(run(bundle, 'started')).toBe('old');
    writeFileSync(bundle, "process.stdout.write('new');");
    // The same length, and an mtime that differs from the first build's.
    utimesSync(bundle, new Date(), new Date(Date.now() + 5000));
    expect(run(bundle, 'started')).toBe('new');
    expect(run(bundle, 'started')).toBe('new');
  });

  it('imports ES-module-only packages through __guvImport', () => {
    const dir = tempDir();
    const bundle = join(dir, 'app.cjs');
    const tinypool = resolve(import.meta.dirname, '../../node_modules/tinypool/dist/index.js');
    writeFileSync(
      bundle,
      `__guvImport(${JSON.stringify(tinypool)}).then((m) => process.stdout.write(typeof m.default));`,
    );
    expect(run(bundle)).toBe('function');
  });

  it('runs without a cache where it cannot write one', () => {
    const dir = tempDir();
    const bundle = join(dir, 'app.cjs');
    writeFileSync(bundle, "process.stdout.write('ok');");
    // A folder in the cache file's place: the write fails (as root too) and is ignored.
    mkdirSync(`${bundle}.v8cache/blocked`, { recursive: true });
    expect(run(bundle)).toBe('ok');
    expect(run(bundle, 'started')).toBe('ok');
    expect(statSync(`${bundle}.v8cache`).isDirectory()).toBe(true);
  });
});

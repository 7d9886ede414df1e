import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh private folder under the temp dir; short, so unix socket paths inside it fit. */
export function makeTempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `${prefix}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

const fixtureDir = new URL('../fixtures/', import.meta.url);

/**
 * Copies the idle fixture into `dir`; with `marks`, beside an empty `marks` folder in which
 * every run of it records its pid and start time. Returns the script's path.
 */
export function placeIdleFixture(dir: string, options: { marks?: boolean } = {}): string {
  const script = join(dir, 'idle.cjs');
  cpSync(new URL('idle.cjs', fixtureDir), script);
  if (options.marks) mkdirSync(join(dir, 'marks'));
  return script;
}

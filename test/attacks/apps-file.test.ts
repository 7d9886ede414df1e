import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { cleanupHome, fixture, guv, makeHome, type TestHome } from '../helpers/daemon-harness.js';
import { createThrowawayUser, isRoot, rootIt, type ThrowawayUser } from './helpers.js';

// An ecosystem.config.js is code, loaded by the CLI as whoever runs it. Run by root, a file
// another user can change would be that user's code running as root.

let home: TestHome;
let user: ThrowawayUser | null = null;
let folder: string;

beforeAll(() => {
  home = makeHome();
  folder = mkdtempSync('/tmp/guv-eco-');
  chmodSync(folder, 0o755);
  if (isRoot) user = createThrowawayUser('eco');
});

afterAll(async () => {
  user?.remove();
  rmSync(folder, { recursive: true, force: true });
  await cleanupHome(home);
}, 60_000);

function configThatLeavesAMark(name: string): { file: string; marker: string } {
  const file = join(folder, name);
  const marker = join(folder, `${name}.ran`);
  writeFileSync(
    file,
    `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\n` +
      `module.exports = { apps: [{ name: 'eco-owned', script: ${JSON.stringify(fixture('ecosystem/env-app.js'))} }] };\n`,
  );
  return { file, marker };
}

describe('apps files run as root', () => {
  rootIt('finding: a .js apps file owned by another user never runs as root', async () => {
    const { file, marker } = configThatLeavesAMark('theirs.config.js');
    chownSync(file, user!.uid, user!.gid);
    const result = await guv(home, ['validate', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^guv: .*as root, guv runs no \.js apps file whose file another user can change/,
    );
    expect(existsSync(marker)).toBe(false);
  });

  rootIt('finding: a .js apps file in a folder others may write never runs as root', async () => {
    const shared = mkdtempSync(join(folder, 'shared-'));
    chmodSync(shared, 0o777);
    const { file, marker } = configThatLeavesAMark('shared-dir.config.js');
    const moved = join(shared, 'ecosystem.config.js');
    // The same file, in the world-writable folder.
    writeFileSync(moved, readFileSync(file, 'utf8'));
    const result = await guv(home, ['start', moved]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/whose folder another user can change/);
    expect(existsSync(marker)).toBe(false);
  });
});

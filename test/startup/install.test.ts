import { spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupHome, guv, makeHome, type TestHome } from '../helpers/daemon-harness.js';

// `guv startup --install` for real, through the CLI and a real systemctl, but only ever into a
// temporary root folder (systemctl --root): nothing is enabled on this machine.

let home: TestHome | undefined;
let rootDir: string | undefined;

afterEach(async () => {
  if (home) await cleanupHome(home);
  home = undefined;
  if (rootDir) rmSync(rootDir, { recursive: true, force: true });
  rootDir = undefined;
}, 60_000);

const asRoot = process.getuid?.() === 0;
const hasSystemctl = spawnSync('systemctl', ['--version']).status === 0;

describe('guv startup --install / guv unstartup (issue 16, boot)', () => {
  // A system unit is root's; systemctl --root enables it offline.
  it.skipIf(!asRoot || !hasSystemctl)(
    'writes the unit, enables it (the multi-user.target.wants link), says what it did; unstartup disables and removes it',
    async () => {
      home = makeHome();
      rootDir = mkdtempSync('/tmp/guv-root-');
      const unit = join(rootDir, 'etc/systemd/system/guv.service');
      const wants = join(rootDir, 'etc/systemd/system/multi-user.target.wants/guv.service');
      const installed = await guv(home, ['startup', '--install', '--root-dir', rootDir]);
      expect(installed.stderr).toBe('');
      expect(installed.code).toBe(0);
      expect(installed.stdout).toContain(`wrote ${unit}\n`);
      expect(installed.stdout).toContain(`systemctl --root=${rootDir} enable guv.service\n`);
      expect(readFileSync(unit, 'utf8')).toContain(`Environment=GUV_HOME=${home.dir}\n`);
      expect(lstatSync(wants).isSymbolicLink()).toBe(true);
      const printed = await guv(home, ['startup']);
      expect(printed.stdout).toBe(readFileSync(unit, 'utf8'));

      const removed = await guv(home, ['unstartup', '--root-dir', rootDir]);
      expect(removed.code).toBe(0);
      expect(removed.stdout).toContain(`removed ${unit}\n`);
      expect(existsSync(unit)).toBe(false);
      expect(existsSync(wants)).toBe(false);
      const again = await guv(home, ['unstartup', '--root-dir', rootDir]);
      expect(again.stdout).toMatch(/nothing to undo/);
    },
    90_000,
  );

  it.skipIf(!asRoot)('refuses to write through a symlink planted at the unit path', async () => {
    home = makeHome();
    rootDir = mkdtempSync('/tmp/guv-root-');
    mkdirSync(join(rootDir, 'etc/systemd/system'), { recursive: true });
    symlinkSync(join(rootDir, 'elsewhere'), join(rootDir, 'etc/systemd/system/guv.service'));
    const installed = await guv(home, ['startup', '--install', '--root-dir', rootDir]);
    expect(installed.code).toBe(1);
    expect(installed.stderr).toMatch(/not a regular file/);
    expect(existsSync(join(rootDir, 'elsewhere'))).toBe(false);
  });

  // Only where systemd does not run (this test must never enable a unit for real).
  it.skipIf(existsSync('/run/systemd/system'))(
    'without systemd, --install and unstartup fail with one clear line',
    async () => {
      home = makeHome();
      for (const args of [['startup', '--install'], ['unstartup']]) {
        const result = await guv(home, args);
        expect(result.code).toBe(1);
        expect(result.stderr.trim().split('\n')).toHaveLength(1);
        expect(result.stderr).toMatch(/systemd is not running here/);
      }
    },
  );
});

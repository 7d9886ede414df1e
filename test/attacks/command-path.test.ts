import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import {
  type CliResult,
  cleanupHome,
  eventually,
  guv,
  makeHome,
  repoRoot,
  startDaemon,
  type TestHome,
} from '../helpers/daemon-harness.js';
import { createThrowawayUser, isRoot, rootIt, type ThrowawayUser } from './helpers.js';

// `guv start <command>` looks the command up on the caller's PATH; a root child must never be
// started from a folder or file another local user controls (or everyone may write).
let home: TestHome;
let root: string;
let user: ThrowawayUser;

beforeAll(async () => {
  if (!isRoot) return;
  user = createThrowawayUser('cmd');
  home = makeHome();
  root = mkdtempSync('/tmp/guvp-');
  await startDaemon(home);
}, 60_000);

afterAll(async () => {
  if (!isRoot) return;
  await cleanupHome(home);
  rmSync(root, { recursive: true, force: true });
  user?.remove();
}, 60_000);

/** A folder holding an executable `name` that prints a marker, with the folder's mode and owner. */
function binFolder(name: string, mode: number, owner: { file?: number; folder?: number } = {}) {
  const dir = join(root, name);
  mkdirSync(dir);
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\necho "${name} ran as $(id -u)"\nexec sleep 60\n`);
  chmodSync(file, 0o755);
  chmodSync(dir, mode);
  if (owner.file !== undefined) chownSync(file, owner.file, owner.file);
  if (owner.folder !== undefined) chownSync(dir, owner.folder, owner.folder);
  return dir;
}

function startWithPath(command: string, folder: string, extra: string[] = []): Promise<CliResult> {
  const env = { ...home.env, PATH: `${folder}:/usr/bin:/bin` };
  return guv({ ...home, env }, ['start', command, ...extra], { cwd: root });
}

function log(name: string): string {
  try {
    return readFileSync(home.logFile(name), 'utf8');
  } catch {
    return '';
  }
}

describe('commands from PATH and a root daemon', () => {
  rootIt(
    'a command in a root-owned PATH folder runs (the lookup works as root)',
    async () => {
      const result = await startWithPath('trusted', binFolder('trusted', 0o755));
      expect(result.stderr).toBe('');
      await eventually(() => log('trusted').includes('trusted ran as 0'), 'the trusted command');
    },
    60_000,
  );

  rootIt(
    'a PATH folder everyone may write is passed over for a root child',
    async () => {
      const result = await startWithPath('openbin', binFolder('openbin', 0o777));
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/passed over.*openbin.*writable by everyone/);
      expect(log('openbin')).toBe('');
    },
    60_000,
  );

  rootIt(
    'a command file owned by another user is passed over for a root child',
    async () => {
      const result = await startWithPath('theirs', binFolder('theirs', 0o755, { file: user.uid }));
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(new RegExp(`theirs.*belongs to uid ${user.uid}`));
      expect(log('theirs')).toBe('');
    },
    60_000,
  );

  rootIt(
    'a PATH folder owned by another user is passed over for a root child',
    async () => {
      const result = await startWithPath(
        'theirdir',
        binFolder('theirdir', 0o755, { folder: user.uid }),
      );
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/passed over/);
      expect(log('theirdir')).toBe('');
    },
    60_000,
  );

  rootIt(
    'with --user the child is that user, and their own folder on PATH is theirs to use',
    async () => {
      const folder = binFolder('userbin', 0o755, { file: user.uid, folder: user.uid });
      chmodSync(root, 0o755);
      const result = await startWithPath('userbin', folder, ['--user', user.name]);
      expect(result.stderr).toBe('');
      await eventually(
        () => log('userbin').includes(`userbin ran as ${user.uid}`),
        'the command as the user',
      );
    },
    60_000,
  );

  rootIt(
    'a TypeScript loader in a node_modules another user owns (/tmp/node_modules) is passed over',
    async () => {
      const shared = join(root, 'shared');
      mkdirSync(join(shared, 'node_modules'), { recursive: true });
      chmodSync(shared, 0o1777);
      symlinkSync(join(repoRoot, 'node_modules/tsx'), join(shared, 'node_modules/tsx'));
      chownSync(join(shared, 'node_modules'), user.uid, user.gid);
      mkdirSync(join(shared, 'proj'));
      writeFileSync(join(shared, 'proj/app.ts'), "console.log('loaded as root');\n");
      const result = await guv(home, ['start', 'app.ts', '-n', 'tsroot'], {
        cwd: join(shared, 'proj'),
      });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/no tsx or ts-node.*passed over.*node_modules belongs to uid/);
      expect(log('tsroot')).toBe('');
    },
    60_000,
  );
});

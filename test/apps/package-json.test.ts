import { execFileSync } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultAppName, readAppPackage } from '../../src/apps/package-json.js';
import { makeTempDir, removeDir } from './git-fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir('guv-pkg-');
});
afterEach(async () => {
  await removeDir(dir);
});

const writePackage = (data: unknown) =>
  writeFile(join(dir, 'package.json'), typeof data === 'string' ? data : JSON.stringify(data));

describe('readAppPackage', () => {
  it('reads name, main and the lockfile', async () => {
    await writePackage({ name: 'shop', main: './lib/server.js' });
    await writeFile(join(dir, 'package-lock.json'), '{}');
    expect(await readAppPackage(dir)).toEqual({
      packageName: 'shop',
      appName: 'shop',
      main: join('lib', 'server.js'),
      lockfile: 'package-lock.json',
    });
  });

  it('defaults main to index.js and prefers npm-shrinkwrap.json', async () => {
    await writePackage({ name: '@acme/shop' });
    await writeFile(join(dir, 'package-lock.json'), '{}');
    await writeFile(join(dir, 'npm-shrinkwrap.json'), '{}');
    expect(await readAppPackage(dir)).toMatchObject({
      appName: 'shop',
      main: 'index.js',
      lockfile: 'npm-shrinkwrap.json',
    });
  });

  it('treats a folder without package.json as an app with defaults', async () => {
    expect(await readAppPackage(dir)).toEqual({
      packageName: null,
      appName: null,
      main: 'index.js',
      lockfile: null,
    });
  });

  it('never runs package.json: a file with code in it is just bad JSON', async () => {
    await writePackage('module.exports = { name: "x" }');
    await expect(readAppPackage(dir)).rejects.toMatchObject({ code: 'GUV_BAD_PACKAGE_JSON' });
    await writePackage('[1,2]');
    await expect(readAppPackage(dir)).rejects.toMatchObject({ code: 'GUV_BAD_PACKAGE_JSON' });
  });

  it('follows a symlink that stays inside the folder, refuses one that leaves it', async () => {
    await mkdir(join(dir, 'app'));
    await mkdir(join(dir, 'app', 'meta'));
    await writeFile(join(dir, 'app', 'meta', 'package.json'), JSON.stringify({ name: 'inner' }));
    await symlink('meta/package.json', join(dir, 'app', 'package.json'));
    expect((await readAppPackage(join(dir, 'app'))).appName).toBe('inner');

    await writeFile(join(dir, 'outside.json'), JSON.stringify({ name: 'outer' }));
    await mkdir(join(dir, 'out'));
    await symlink('../outside.json', join(dir, 'out', 'package.json'));
    const error = await readAppPackage(join(dir, 'out')).catch((e: Error) => e);
    expect(error).toMatchObject({ code: 'GUV_BAD_PACKAGE_JSON' });
    expect((error as Error).message).toBe(
      "package.json is a symlink out of the app's folder: guv reads only files inside it",
    );
    await mkdir(join(dir, 'dangling'));
    await symlink('/nonexistent/package.json', join(dir, 'dangling', 'package.json'));
    await expect(readAppPackage(join(dir, 'dangling'))).rejects.toThrow(
      'package.json is a symlink to nothing',
    );
  });

  it('refuses a package.json over 1 MiB unread, and one that is not a regular file', async () => {
    await writePackage(`{"name":"big","pad":"${'x'.repeat(1024 * 1024)}"}`);
    await expect(readAppPackage(dir)).rejects.toThrow(
      /^package\.json is 1048599 bytes, more than the 1 MiB guv reads$/,
    );
    await writePackage(`{"name":"fits","pad":"${'x'.repeat(1024 * 1024 - 30)}"}`);
    expect((await readAppPackage(dir)).appName).toBe('fits');

    // A FIFO would block a plain read forever.
    await mkdir(join(dir, 'fifo'));
    execFileSync('mkfifo', [join(dir, 'fifo', 'package.json')]);
    await expect(readAppPackage(join(dir, 'fifo'))).rejects.toThrow(
      'package.json is not a regular file',
    );
  });

  it.each(['../outside.js', '/etc/passwd', '.', 42])('refuses main %j', async (main) => {
    await writePackage({ name: 'x', main });
    await expect(readAppPackage(dir)).rejects.toMatchObject({ code: 'GUV_BAD_PACKAGE_JSON' });
  });
});

describe('defaultAppName', () => {
  it.each([
    ['shop', 'shop'],
    ['@acme/shop', 'shop'],
    ['my.app', 'my.app'],
    [null, null],
    ['', null],
    ['.hidden', null],
    ['@acme/../x', null],
    ['a'.repeat(80), null],
  ])('%j → %j', (name, expected) => {
    expect(defaultAppName(name)).toBe(expected);
  });
});

import { writeFile } from 'node:fs/promises';
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

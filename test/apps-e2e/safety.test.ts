import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '../apps/git-fixtures.js';
import { cleanupHome, guv, makeHome, type TestHome } from '../helpers/daemon-harness.js';
import { type AppRepo, makeAppRepo } from './app-repo.js';

let home: TestHome;
let base: string;
let repo: AppRepo;
let marker: string;

beforeEach(async () => {
  home = makeHome();
  base = await makeTempDir('guv-apps-safety-');
  repo = await makeAppRepo(base);
  marker = join(base, 'marker');
});
afterEach(async () => {
  await cleanupHome(home);
  await removeDir(base);
});

const appsFolder = () => join(home.dir, 'apps');

/**
 * Exit 1, nothing on stdout, no marker, no app. stderr is one `guv: …` line, or (`ran`: git
 * or npm did run and their output streamed first) ends with the one `guv: …` line.
 */
async function refused(args: string[], message: string | RegExp, ran = false) {
  const result = await guv(home, args, { timeoutMs: 120_000 });
  expect(result.code, result.stderr).toBe(1);
  expect(result.stdout).toBe('');
  const complaint = ran ? (result.stderr.match(/guv: [^\n]*\n$/)?.[0] ?? '') : result.stderr;
  expect(complaint.split('\n'), result.stderr).toHaveLength(2);
  expect(complaint).toMatch(typeof message === 'string' ? `guv: ${message}` : message);
  expect(existsSync(marker)).toBe(false);
  const left = existsSync(appsFolder()) ? readdirSync(appsFolder()) : [];
  expect(left.filter((entry) => entry !== 'keep')).toEqual([]);
  return result;
}

describe('hostile input to guv install and guv setref is refused, nothing runs', () => {
  it('a URL starting with "-"', async () => {
    const url = `--upload-pack=touch ${marker}`;
    await refused(
      ['install', '--', url, 'x'],
      `refusing repository URL "${url}": it starts with "-" and git would read it as an option`,
    );
    // Without "--" the CLI itself never takes it for a URL.
    const asOption = await guv(home, ['install', url]);
    expect(asOption.code).toBe(2);
    expect(asOption.stderr).toMatch(/^guv: unknown option '--upload-pack/);
    expect(existsSync(marker)).toBe(false);
  }, 60_000);

  it('ext:: and other command-running transports, and unknown schemes', async () => {
    await refused(
      ['install', `ext::sh -c touch% ${marker}`, 'x'],
      /^guv: refusing repository URL .*"<transport>::" remote helpers are not allowed\n$/,
    );
    await refused(
      ['install', `fd::17`, 'x'],
      /^guv: refusing repository URL "fd::17": "<transport>::" remote helpers are not allowed\n$/,
    );
    await refused(
      ['install', `ftp://example.invalid/x.git`, 'x'],
      /^guv: refusing repository URL .*scheme "ftp" is not one of/,
    );
  }, 60_000);

  it('a ref starting with "-", at install and at setref', async () => {
    await refused(
      ['install', repo.url, 'x', `--ref=--upload-pack=touch ${marker}`],
      /^guv: invalid ref "--upload-pack=touch .*": it starts with "-"\n$/,
    );
    expect((await guv(home, ['install', repo.url, 'keep'])).code).toBe(0);
    const before = readFileSync(join(appsFolder(), 'keep', 'server.js'), 'utf8');
    await refused(
      ['setref', 'keep', '--', `--orphan=x`],
      'invalid ref "--orphan=x": it starts with "-"\n',
    );
    expect(readFileSync(join(appsFolder(), 'keep', 'server.js'), 'utf8')).toBe(before);
    expect((await guv(home, ['ref', 'keep'])).stdout).toBe(`main ${repo.commit('main')}\n`);
  }, 60_000);

  it('app names with "/", "..", or a leading "."', async () => {
    const hint = 'use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit';
    for (const name of ['a/b', '../evil', 'x..y', '.hidden', '..']) {
      await refused(['install', repo.url, name], `invalid app name "${name}": ${hint}\n`);
    }
    expect(existsSync(join(home.dir, 'evil'))).toBe(false);
  }, 60_000);
});

describe('a failed install leaves nothing behind', () => {
  it('npm failing: no folder, no lsapps entry, and the name is free again', async () => {
    const broken = await makeAppRepo(base, {
      folder: 'broken',
      dependencies: { missing: 'file:./missing.tgz' },
    });
    const result = await refused(['install', broken.url, 'shop'], /^guv: npm install failed/, true);
    expect(result.stderr).toMatch(/enoent/i);
    expect((await guv(home, ['lsapps'])).stdout).toBe('no apps\n');
    expect((await guv(home, ['install', repo.url, 'shop'])).code).toBe(0);
  }, 120_000);

  it('a ref that does not exist', async () => {
    await refused(['install', repo.url, 'shop', '--ref', 'v9'], /no branch or tag "v9"/, true);
    await refused(['install', repo.url, '--ref', 'v9'], /no branch or tag "v9"/, true);
    expect((await guv(home, ['lsapps'])).stdout).toBe('no apps\n');
  }, 60_000);

  // Regression: a failed install used to clean up with removeFiles, deleting the installed app.
  it('installing a name that is taken is refused and the installed app is untouched', async () => {
    expect((await guv(home, ['install', repo.url, 'keep', '--ref', 'v1'])).code).toBe(0);
    const server = join(appsFolder(), 'keep', 'server.js');
    const before = readFileSync(server, 'utf8');
    await refused(['install', repo.url, 'keep'], 'an app called "keep" is already installed\n');
    // package.json's name (shop) taken by an app installed under that name.
    expect((await guv(home, ['install', repo.url])).code).toBe(0);
    // Its clone was made to read the name, then discarded.
    const again = await guv(home, ['install', repo.url]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/\nguv: an app called "shop" is already installed\n$/);
    expect(readFileSync(server, 'utf8')).toBe(before);
    expect(existsSync(join(appsFolder(), 'shop', 'server.js'))).toBe(true);
    expect(readdirSync(appsFolder()).sort()).toEqual(['keep', 'shop']);
    expect((await guv(home, ['ref', 'keep'])).stdout).toBe(`v1 ${repo.commit('v1')}\n`);
  }, 120_000);
});

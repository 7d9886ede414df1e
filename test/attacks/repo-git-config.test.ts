import { readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { sh } from '../apps/git-fixtures.js';
import { guv, type TestHome } from '../helpers/daemon-harness.js';
import { rootIt, runAs, type ThrowawayUser } from './helpers.js';
import {
  chownTree,
  commitFiles,
  useAttackWorkspace,
  makeRepo,
  markerUids,
  reportingScript,
  rootMarks,
} from './repo-fixtures.js';

let home: TestHome;
let base: string;
let markers: string;
let user: ThrowawayUser | undefined;

useAttackWorkspace('guv-attack-gitcfg-', (w) => {
  ({ home, base, markers, user } = w);
});

const app = {
  'package.json': JSON.stringify({ name: 'shop', version: '1.0.0', main: 'index.js' }),
  'index.js': '',
};
/** A repository asking for filter `guvx` on every .js file, as an LFS repository asks for `lfs`. */
const askingForFilter = { '.gitattributes': '*.js filter=guvx\n', 'index.js': '// filtered\n' };

/**
 * Root's own git config (`~/.gitconfig` of the daemon's HOME), defining filter `guvx` the way
 * `git lfs install` defines `lfs`, plus, with `hooks`, a hooks folder and an fsmonitor.
 * Each program reports its uid in the markers folder.
 */
async function rootGitConfig(hooks: boolean): Promise<string> {
  const rootHome = join(base, 'root-home');
  const scripts = join(rootHome, 'scripts');
  await mkdir(join(scripts, 'hooks'), { recursive: true });
  const script = async (name: string, text: string) =>
    writeFile(join(scripts, name), text, { mode: 0o755 });
  await script('filter.sh', reportingScript(markers, 'filter', 'exec cat'));
  await script('fsmonitor.sh', reportingScript(markers, 'fsmonitor'));
  for (const hook of ['post-checkout', 'post-merge', 'reference-transaction']) {
    await script(join('hooks', hook), reportingScript(markers, hook));
  }
  const config = [
    '[filter "guvx"]',
    `\tsmudge = ${join(scripts, 'filter.sh')}`,
    `\tclean = ${join(scripts, 'filter.sh')}`,
    ...(hooks
      ? [
          '[core]',
          `\thooksPath = ${join(scripts, 'hooks')}`,
          `\tfsmonitor = ${join(scripts, 'fsmonitor.sh')}`,
        ]
      : []),
    '',
  ].join('\n');
  await writeFile(join(rootHome, '.gitconfig'), config);
  return rootHome;
}

describe("finding 1: guv's git on a root run reads no config that selects a program", () => {
  rootIt(
    "finding 1: a filter, hooks or fsmonitor from root's git config never run at guv install of a repository asking for them",
    async () => {
      home.env.HOME = await rootGitConfig(true);
      const url = await makeRepo(join(base, 'origin'), { ...app, ...askingForFilter });
      const installed = await guv(home, ['install', url, 'shop'], { timeoutMs: 120_000 });
      expect(rootMarks(markers), installed.stderr).toEqual([]);
      expect(installed.code, installed.stderr).toBe(0);
      const setref = await guv(home, ['setref', 'shop', 'main'], { timeoutMs: 120_000 });
      expect(setref.code, setref.stderr).toBe(0);
      expect(readdirSync(markers)).toEqual([]);
    },
    240_000,
  );

  rootIt(
    "finding 1: guv setref to a branch whose .gitattributes asks for a filter of root's git config never runs it",
    async () => {
      home.env.HOME = await rootGitConfig(false);
      const origin = join(base, 'origin');
      const url = await makeRepo(origin, app);
      const installed = await guv(home, ['install', url, 'shop'], { timeoutMs: 120_000 });
      expect(installed.code, installed.stderr).toBe(0);
      sh(origin, 'checkout', '-q', '-b', 'lfs');
      await commitFiles(origin, askingForFilter, 'ask for the filter');
      sh(origin, 'checkout', '-q', 'main');
      expect((await guv(home, ['updaterefs', 'shop'], { timeoutMs: 120_000 })).code).toBe(0);

      const switched = await guv(home, ['setref', 'shop', 'lfs'], { timeoutMs: 120_000 });
      expect(rootMarks(markers), switched.stderr).toEqual([]);
      expect(switched.code, switched.stderr).toBe(0);
      expect(readdirSync(markers)).toEqual([]);
    },
    240_000,
  );

  // Guard (passed before the fix too): git for an app with a user runs as that user, so what
  // the user writes into its checkout's .git/config runs as the user, never as root.
  rootIt(
    "finding 1: hooksPath, fsmonitor and filters the app's user writes into its checkout's .git/config never run as root at setref",
    async () => {
      const origin = join(base, 'origin');
      const url = await makeRepo(origin, app);
      sh(origin, 'checkout', '-q', '-b', 'dev');
      await commitFiles(origin, askingForFilter, 'dev');
      sh(origin, 'checkout', '-q', 'main');
      chownTree(user!.name, origin);
      const installed = await guv(home, ['install', url, 'shop', '--user', user!.name], {
        timeoutMs: 120_000,
      });
      expect(installed.code, installed.stderr).toBe(0);

      const scripts = join(base, 'user-scripts');
      await mkdir(join(scripts, 'hooks'), { recursive: true });
      const script = (name: string, text: string) =>
        writeFile(join(scripts, name), text, { mode: 0o755 });
      await script('hooks/post-checkout', reportingScript(markers, 'post-checkout'));
      await script('fsmonitor.sh', reportingScript(markers, 'fsmonitor'));
      await script('filter.sh', reportingScript(markers, 'filter', 'exec cat'));
      // The app's user edits its checkout's config: git as that user is free to.
      const checkout = join(home.dir, 'apps', 'shop');
      for (const [key, value] of [
        ['core.hooksPath', join(scripts, 'hooks')],
        ['core.fsmonitor', join(scripts, 'fsmonitor.sh')],
        ['filter.guvx.smudge', join(scripts, 'filter.sh')],
      ]) {
        const set = runAs(user!, 'git', ['-C', checkout, 'config', key!, value!]);
        expect(set.status, set.stderr).toBe(0);
      }

      const switched = await guv(home, ['setref', 'shop', 'dev'], { timeoutMs: 120_000 });
      expect(switched.code, switched.stderr).toBe(0);
      expect(rootMarks(markers)).toEqual([]);
      // They did run: as the user.
      expect(new Set(markerUids(markers, 'post-checkout'))).toEqual(new Set([user!.uid]));
    },
    240_000,
  );
});

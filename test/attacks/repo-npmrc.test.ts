import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { sh } from '../apps/git-fixtures.js';
import { type CliResult, guv, type TestHome } from '../helpers/daemon-harness.js';
import { rootIt, type ThrowawayUser } from './helpers.js';
import {
  chownTree,
  commitFiles,
  useAttackWorkspace,
  makeRepo,
  markerUids,
  type RepoFile,
  reportingScript,
  rootMarks,
} from './repo-fixtures.js';

let home: TestHome;
let base: string;
let markers: string;
let user: ThrowawayUser | undefined;

useAttackWorkspace('guv-attack-npmrc-', (w) => {
  ({ home, base, markers, user } = w);
});

/**
 * An app whose `.npmrc` makes npm run `./evil.sh` as its git, and a git dependency so that
 * npm needs git even with --ignore-scripts. evil.sh reports its uid, then runs the real git.
 */
async function hostileNpmrc(owner: string | null): Promise<Record<string, RepoFile>> {
  const dep = join(base, owner ? 'dep-user' : 'dep');
  const depUrl = await makeRepo(dep, {
    'package.json': JSON.stringify({ name: 'dep', version: '1.0.0' }),
  });
  if (owner) chownTree(owner, dep);
  return {
    'package.json': JSON.stringify({
      name: 'npmrc-app',
      version: '1.0.0',
      main: 'index.js',
      dependencies: { dep: `git+${depUrl}` },
    }),
    '.npmrc': 'git=./evil.sh\n',
    'evil.sh': { text: reportingScript(markers, 'npm-git', 'exec git "$@"'), mode: 0o755 },
    'index.js': '',
  };
}

/** Exit 1 and, after whatever git printed, one `guv: …` line naming the .npmrc. */
function expectNpmrcRefused(result: CliResult): void {
  expect(result.code, result.stderr).toBe(1);
  expect(result.stdout).toBe('');
  const last = result.stderr.match(/guv: [^\n]*\n$/)?.[0] ?? '';
  expect(last, result.stderr).toMatch(/\.npmrc/);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

describe('finding 1: a repository cannot make npm run a program as root', () => {
  rootIt(
    'finding 1: a repository .npmrc (git=./evil.sh) never runs evil.sh as root at guv install',
    async () => {
      const url = await makeRepo(join(base, 'origin'), await hostileNpmrc(null));
      const refused = await guv(home, ['install', url, 'shop'], { timeoutMs: 120_000 });
      expect(rootMarks(markers), refused.stderr).toEqual([]);
      expectNpmrcRefused(refused);
      const named = await guv(home, ['install', url], { timeoutMs: 120_000 });
      expect(rootMarks(markers), named.stderr).toEqual([]);
      expectNpmrcRefused(named);
      expect((await guv(home, ['lsapps'])).stdout).toBe('no apps\n');

      // With a user of its own, npm runs as that user and may read the repository's .npmrc.
      const owned = join(base, 'origin-user');
      const ownedUrl = await makeRepo(owned, await hostileNpmrc(user!.name));
      chownTree(user!.name, owned);
      const asUser = await guv(home, ['install', ownedUrl, 'mine', '--user', user!.name], {
        timeoutMs: 120_000,
      });
      expect(asUser.code, asUser.stderr).toBe(0);
      expect(rootMarks(markers)).toEqual([]);
      const uids = markerUids(markers, 'npm-git');
      expect(uids.length).toBeGreaterThan(0);
      expect(new Set(uids)).toEqual(new Set([user!.uid]));
    },
    240_000,
  );

  rootIt(
    'finding 1: guv setref to a branch whose .npmrc names a program never runs it as root',
    async () => {
      const origin = join(base, 'origin');
      const url = await makeRepo(origin, {
        'package.json': JSON.stringify({ name: 'shop', version: '1.0.0', main: 'index.js' }),
        'index.js': '',
      });
      const installed = await guv(home, ['install', url, 'shop'], { timeoutMs: 120_000 });
      expect(installed.code, installed.stderr).toBe(0);

      sh(origin, 'checkout', '-q', '-b', 'evil');
      await commitFiles(origin, await hostileNpmrc(null), 'evil');
      sh(origin, 'checkout', '-q', 'main');
      const updated = await guv(home, ['updaterefs', 'shop'], { timeoutMs: 120_000 });
      expect(updated.code, updated.stderr).toBe(0);

      const switched = await guv(home, ['setref', 'shop', 'evil'], { timeoutMs: 120_000 });
      expect(rootMarks(markers), switched.stderr).toEqual([]);
      expectNpmrcRefused(switched);
    },
    240_000,
  );

  rootIt(
    'finding 1: npm as root reads no .npmrc above the checkout, where a package.json with workspaces takes the app in',
    async () => {
      const origin = join(base, 'origin');
      const url = await makeRepo(origin, {
        'package.json': JSON.stringify({ name: 'shop', version: '1.0.0', main: 'index.js' }),
        'index.js': '',
      });
      const installed = await guv(home, ['install', url, 'shop'], { timeoutMs: 120_000 });
      expect(installed.code, installed.stderr).toBe(0);
      // Whoever may write a folder above the apps folder: npm would walk up to it.
      const depUrl = await makeRepo(join(base, 'dep'), {
        'package.json': JSON.stringify({ name: 'dep', version: '1.0.0' }),
      });
      const evil = join(base, 'evil.sh');
      await writeFile(evil, reportingScript(markers, 'npm-git', 'exec git "$@"'), { mode: 0o755 });
      await writeFile(
        join(home.dir, 'package.json'),
        JSON.stringify({
          name: 'above',
          workspaces: ['apps/*'],
          dependencies: { dep: `git+${depUrl}` },
        }),
      );
      await writeFile(join(home.dir, '.npmrc'), `git=${evil}\n`);

      sh(origin, 'checkout', '-q', '-b', 'dev');
      await commitFiles(origin, { 'dev.txt': 'dev\n' }, 'dev');
      sh(origin, 'checkout', '-q', 'main');
      expect((await guv(home, ['updaterefs', 'shop'], { timeoutMs: 120_000 })).code).toBe(0);
      const switched = await guv(home, ['setref', 'shop', 'dev'], { timeoutMs: 120_000 });
      expect(rootMarks(markers), switched.stderr).toEqual([]);
      expect(switched.code, switched.stderr).toBe(0);
      expect(existsSync(join(home.dir, 'node_modules'))).toBe(false);
    },
    240_000,
  );
});

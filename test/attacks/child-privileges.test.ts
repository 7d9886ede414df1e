import { afterAll, afterEach, beforeAll, beforeEach, describe, expect } from 'vitest';
import {
  cleanupHome,
  eventually,
  guv,
  makeHome,
  processesMentioning,
  type TestHome,
} from '../helpers/daemon-harness.js';
import {
  addSupplementaryGroup,
  credentialsOf,
  makeProbeApp,
  type ProbeApp,
  type ThrowawayGroup,
} from './child-fixtures.js';
import { createThrowawayUser, isRoot, rootIt, type ThrowawayUser } from './helpers.js';

// Finding 3: node flags and NODE_OPTIONS preloads ran as root, before the wrapper dropped privileges.
let user: ThrowawayUser;
let extra: ThrowawayGroup;
let probe: ProbeApp;
let home: TestHome;

beforeAll(() => {
  if (!isRoot) return;
  user = createThrowawayUser('c');
  extra = addSupplementaryGroup(user);
  probe = makeProbeApp();
});
afterAll(() => {
  if (!isRoot) return;
  probe?.remove();
  user?.remove();
  extra?.remove();
});
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await cleanupHome(home);
});

/** `guv start app.js -u <user>` plus `flags`, from the app's folder; resolves once it runs. */
async function startAsUser(flags: string[]): Promise<void> {
  const result = await guv(
    home,
    ['start', probe.app, '--name', 'probe', '--user', user.name, '--cwd', probe.dir, ...flags],
    { cwd: probe.dir },
  );
  expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
}

/** Every hook marker says the user's uid, and there is at least one per process expected. */
async function expectHooksRanAsUser(processes: number): Promise<void> {
  await eventually(() => probe.markers('hook').length >= processes, `${processes} hook markers`);
  const uids = probe.markers('hook').map((marker) => Number(marker.content));
  expect(uids).not.toContain(0);
  expect(new Set(uids)).toEqual(new Set([user.uid]));
}

/** The process runs as the user (saved uid too), with the user's groups (initgroups), no capability. */
function expectUsersCredentials(pid: number): void {
  const { uids, gids, groups, capabilities } = credentialsOf(pid);
  expect(uids).toEqual([user.uid, user.uid, user.uid, user.uid]);
  expect(gids).toEqual([user.gid, user.gid, user.gid, user.gid]);
  expect(groups).toEqual([user.gid, extra.gid].sort((a, b) => a - b));
  expect(capabilities).toEqual(['0000000000000000', '0000000000000000']);
}

async function appPids(count: number): Promise<number[]> {
  await eventually(() => probe.markers('app').length >= count, `${count} app markers`, 30_000);
  return probe.markers('app').map((marker) => marker.pid);
}

describe('node preloads never run as root (finding 3)', () => {
  afterEach(() => {
    if (isRoot) probe.clearMarkers();
  });

  rootIt(
    'finding 3: --execArgv "--require ./hook.js" runs as the app\'s user, never root',
    async () => {
      await startAsUser(['--execArgv=--require ./hook.js']);
      await expectHooksRanAsUser(1);
      const [pid] = await appPids(1);
      expectUsersCredentials(pid as number);
    },
    90_000,
  );

  rootIt(
    'finding 3: --env NODE_OPTIONS="--require ./hook.js" runs as the app\'s user, never root',
    async () => {
      await startAsUser(['--env', 'NODE_OPTIONS=--require ./hook.js']);
      await expectHooksRanAsUser(1);
      const [pid] = await appPids(1);
      expectUsersCredentials(pid as number);
    },
    90_000,
  );

  rootIt(
    'finding 3: --execArgv "--import ./hook.mjs" runs as the app\'s user, never root',
    async () => {
      await startAsUser(['--execArgv=--import ./hook.mjs']);
      await expectHooksRanAsUser(1);
      const [pid] = await appPids(1);
      expectUsersCredentials(pid as number);
    },
    90_000,
  );

  rootIt(
    'finding 3: --execArgv "-r <package in node_modules>" runs as the app\'s user, never root',
    async () => {
      await startAsUser(['--execArgv=-r guvc-preload']);
      await expectHooksRanAsUser(1);
      const [pid] = await appPids(1);
      expectUsersCredentials(pid as number);
    },
    90_000,
  );

  rootIt(
    'finding 3: a cluster (-i 2 -u user): manager, workers and their preloads run as the user',
    async () => {
      await startAsUser([
        '--instances',
        '2',
        '--env',
        'NODE_OPTIONS=--require ./hook.js',
        '--execArgv=--require ./hook.js',
      ]);
      const workers = await appPids(2);
      // NODE_OPTIONS reaches the manager and both workers.
      await expectHooksRanAsUser(3);
      const managers = processesMentioning(home.dir).filter((p) =>
        p.cmdline.includes('manager.cjs'),
      );
      expect(managers).toHaveLength(1);
      for (const pid of [...workers, ...managers.map((p) => p.pid)]) expectUsersCredentials(pid);
    },
    120_000,
  );
});

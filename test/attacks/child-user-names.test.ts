import { afterAll, afterEach, beforeAll, beforeEach, describe, expect } from 'vitest';
import { cleanupHome, guv, makeHome, type TestHome } from '../helpers/daemon-harness.js';
import { makeProbeApp, type ProbeApp } from './child-fixtures.js';
import { isRoot, rootIt } from './helpers.js';

// Finding 4: `getent passwd --service=files` reads the value as an option and lists every entry,
// root's first, so `--user=--service=files` ran the app as uid 0 (and `--group=…` gave gid 0).
let probe: ProbeApp;
let home: TestHome;

beforeAll(() => {
  if (isRoot) probe = makeProbeApp();
});
afterAll(() => {
  if (isRoot) probe?.remove();
});
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await cleanupHome(home);
  if (isRoot) probe.clearMarkers();
});

/** Starts the probe app with `flag`; the app leaves an `app.<pid>` marker whenever it runs. */
async function expectRefused(flag: string): Promise<void> {
  const result = await guv(home, ['start', probe.app, '--name', 'probe', flag], {
    cwd: probe.dir,
  });
  expect(result.code, result.stdout).not.toBe(0);
  expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
  expect(result.stderr).toMatch(/invalid (user|group) name/);
  // Long enough for a spawned app (or one restarted after a failed spawn) to leave its marker.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(probe.markers('app')).toEqual([]);
  const listed = await guv(home, ['list']);
  expect(listed.stdout).not.toContain('probe');
}

describe('user and group names are never options of getent (finding 4)', () => {
  rootIt(
    'finding 4: --user=--service=files is refused in one line and nothing runs',
    () => expectRefused('--user=--service=files'),
    60_000,
  );

  rootIt(
    'finding 4: --group=--service=files is refused in one line and nothing runs',
    () => expectRefused('--group=--service=files'),
    60_000,
  );
});

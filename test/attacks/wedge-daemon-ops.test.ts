import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  alive,
  type CliResult,
  cleanupHome,
  daemonPid,
  eventually,
  fixture,
  guv,
  makeHome,
  recordEvents,
  startDaemon,
  startTracked,
  type TestHome,
} from '../helpers/daemon-harness.js';

let home: TestHome | undefined;

afterEach(async () => {
  if (home) await cleanupHome(home);
  home = undefined;
}, 60_000);

/** One line on stderr, nothing on stdout, a non-zero exit: what a failed command must print. */
function expectOneLineFailure(result: CliResult, cause: RegExp): void {
  expect(result.code, result.stdout).not.toBe(0);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(cause);
}

function expectOk(result: CliResult): string {
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

/** A daemon running one app, its list saved, then its processes.json made corrupt. */
async function daemonWithCorruptState(h: TestHome) {
  const client = await startDaemon(h);
  await startTracked(client, h, fixture('hello.js'), { name: 'app' });
  // Flushes every pending write, so nothing overwrites the corrupt file below.
  expectOk(await guv(h, ['dump']));
  writeFileSync(h.processesFile, '{ "version": 1, "processes": [ not json');
  return client;
}

describe('finding 12: a failed dump/restore does not poison later operations', () => {
  it('finding 12: after a failed guv restore (corrupt processes.json), guv dump succeeds and saves the list', async () => {
    home = makeHome();
    await daemonWithCorruptState(home);
    expectOneLineFailure(await guv(home, ['restore']), /^guv: restore failed: .*corrupt/);

    const dumped = expectOk(await guv(home, ['dump']));
    expect(dumped).toMatch(/^saved 1 process\(es\) to /);
    const saved = JSON.parse(readFileSync(home.processesFile, 'utf8'));
    expect(saved.processes.map((p: { definition: { name: string } }) => p.definition.name)).toEqual(
      ['app'],
    );
  }, 60_000);

  it('finding 12: after a failed guv restore, the next guv restore reports its own outcome', async () => {
    home = makeHome();
    await daemonWithCorruptState(home);
    expectOneLineFailure(await guv(home, ['restore']), /^guv: restore failed: .*corrupt/);
    // The corrupt file was moved aside: this restore finds nothing to read and succeeds.
    expect(expectOk(await guv(home, ['restore']))).toBe('restored; 1 process(es) known\n');
    // Corrupt again: this restore fails with its own error, naming the new file kept aside.
    writeFileSync(home.processesFile, 'garbage');
    const again = await guv(home, ['restore']);
    expectOneLineFailure(again, /^guv: restore failed: .*corrupt/);
    const keptAside = readdirSync(home.stateDir).filter((f) => f.includes('.corrupt-'));
    expect(keptAside).toHaveLength(2);
  }, 60_000);

  it('finding 12: after a failed guv restore, guv kill publishes daemon:exit and the daemon process is gone', async () => {
    home = makeHome();
    const client = await daemonWithCorruptState(home);
    expectOneLineFailure(await guv(home, ['restore']), /^guv: restore failed: .*corrupt/);
    const pid = daemonPid(home);
    const events = await recordEvents(client, 'daemon:*');

    const killed = await guv(home, ['kill'], { timeoutMs: 60_000 });
    expect(killed.stderr).toBe('');
    expect(killed).toMatchObject({ code: 0, stdout: 'daemon stopped\n' });
    await events.waitFor((e) => e.type === 'daemon:exit', 'daemon:exit');
    await eventually(() => !alive(pid), `daemon pid ${pid} gone after guv kill`, 20_000);
  }, 60_000);
});

describe('finding 13: guv dump reports success only once the file is on disk', () => {
  it('finding 13: guv dump into an unwritable processes.json (EISDIR) fails in one line with the cause, no daemon:dump', async () => {
    home = makeHome();
    const client = await startDaemon(home);
    await startTracked(client, home, fixture('hello.js'), { name: 'app' });
    expectOk(await guv(home, ['dump']));
    rmSync(home.processesFile);
    mkdirSync(home.processesFile);
    const events = await recordEvents(client, 'daemon:*');

    const dump = await guv(home, ['dump']);
    expectOneLineFailure(dump, /^guv: dump failed: cannot write .*processes\.json: EISDIR/);
    // The failure is published as a log line; it is also the proof the dump is over.
    await events.waitFor(
      (e) =>
        e.type === 'daemon:log:error' &&
        /dump failed/.test(String((e.args[0] as { message?: string })?.message)),
      'the dump failure on the bus',
    );
    expect(events.events.filter((e) => e.type === 'daemon:dump')).toEqual([]);
    // No temporary file is left beside it.
    expect(readdirSync(home.stateDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    // Once the file can be written again, dump says so and publishes daemon:dump.
    rmSync(home.processesFile, { recursive: true });
    expect(expectOk(await guv(home, ['dump']))).toMatch(/^saved 1 process\(es\)/);
    await events.waitFor((e) => e.type === 'daemon:dump', 'daemon:dump');
    expect(JSON.parse(readFileSync(home.processesFile, 'utf8')).processes).toHaveLength(1);
  }, 60_000);
});

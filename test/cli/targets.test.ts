import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupHome,
  fixture,
  guv,
  makeHome,
  startDaemon,
  type TestHome,
} from '../helpers/daemon-harness.js';

// `guv stop|restart|reload|remove` take several targets and `all`, as pm2's do; before, every
// target after the first was silently ignored.
let home: TestHome;

beforeAll(async () => {
  home = makeHome();
  await startDaemon(home);
}, 60_000);

afterAll(async () => {
  await cleanupHome(home);
}, 60_000);

async function statuses(): Promise<Record<string, string>> {
  const result = await guv(home, ['list', '--json']);
  expect(result.code).toBe(0);
  const list = JSON.parse(result.stdout) as { name: string; status: string; id: string }[];
  return Object.fromEntries(list.map((p) => [p.name, p.status]));
}

describe('several targets and all', () => {
  it('guv stop web api stops both and leaves the third running', async () => {
    for (const name of ['web', 'api', 'jobs']) {
      const started = await guv(home, ['start', fixture('hello.js'), '-n', name]);
      expect(started.code, started.stderr).toBe(0);
    }
    const stopped = await guv(home, ['stop', 'web', 'api']);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(await statuses()).toEqual({ web: 'stopped', api: 'stopped', jobs: 'running' });
  }, 60_000);

  it('guv restart all starts every process again; one unknown target is one line and exit 1', async () => {
    const restarted = await guv(home, ['restart', 'all']);
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(await statuses()).toEqual({ web: 'running', api: 'running', jobs: 'running' });

    const partly = await guv(home, ['stop', 'jobs', 'nosuch']);
    expect(partly.code).toBe(1);
    expect(partly.stderr.trim().split('\n')).toHaveLength(1);
    expect(partly.stderr).toMatch(/^guv: nosuch: /);
    expect((await statuses()).jobs).toBe('stopped');
  }, 60_000);

  it('guv remove all removes every process; ids never begin with a dash', async () => {
    const list = JSON.parse((await guv(home, ['list', '--json'])).stdout) as { id: string }[];
    for (const { id } of list) expect(id).toMatch(/^[0-9A-Za-z_]/);
    const removed = await guv(home, ['remove', 'all']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(await statuses()).toEqual({});
    const none = await guv(home, ['stop', 'all']);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('no processes\n');
  }, 60_000);
});

describe('guv status', () => {
  it('says the daemon runs, with its pid, version, uptime and home; never starts one', async () => {
    const up = await guv(home, ['status']);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/^guv daemon +running/m);
    expect(up.stdout).toMatch(/^version +\d+\.\d+\.\d+/m);
    expect(up.stdout).toMatch(/^uptime +\d+[smhd]/m);
    expect(up.stdout).toContain(home.dir);
    const json = JSON.parse((await guv(home, ['status', '--json'])).stdout);
    expect(json).toMatchObject({
      running: true,
      pid: expect.any(Number),
      version: expect.any(String),
    });

    const empty = makeHome();
    try {
      const down = await guv(empty, ['status']);
      expect(down.code).toBe(3);
      expect(down.stdout).toBe('guv daemon is not running\n');
      // Asking did not start a daemon.
      expect((await guv(empty, ['status'])).code).toBe(3);
    } finally {
      await cleanupHome(empty);
    }
  }, 60_000);
});

describe('guv info <worker>', () => {
  it('describes one worker by its id, its name (<cluster>#<slot>) or its pid', async () => {
    const started = await guv(home, ['start', fixture('cluster-http.js'), '-i', '2', '-n', 'cw']);
    expect(started.code, started.stderr).toBe(0);
    const [cluster] = JSON.parse((await guv(home, ['list', '--json'])).stdout) as {
      id: string;
      workers: { id: string; pid: number; index: number }[];
    }[];
    const worker = cluster!.workers.find((w) => w.index === 1)!;
    for (const query of [worker.id, 'cw#1', String(worker.pid)]) {
      const result = await guv(home, ['info', query]);
      expect(result.code, `${query}: ${result.stderr}`).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^status +running \\(pid ${worker.pid}\\)`, 'm'));
      expect(result.stdout).toMatch(/^worker +slot 1 of cluster cw /m);
    }
    const json = JSON.parse((await guv(home, ['info', 'cw#1', '--json'])).stdout);
    expect(json.worker).toEqual({ cluster: 'cw', clusterId: cluster!.id, index: 1 });
    expect(json.logFiles.join(' ')).toContain('worker-1');
  }, 60_000);
});

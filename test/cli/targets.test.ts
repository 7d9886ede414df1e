import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cleanupHome,
  eventually,
  fixture,
  guv,
  makeHome,
  useSharedDaemon,
  type TestHome,
} from '../helpers/daemon-harness.js';

// `guv stop|restart|reload|remove` take several targets and `all`, as pm2's do; before, every
// target after the first was silently ignored.
let home: TestHome;

useSharedDaemon((shared) => {
  home = shared.home;
});

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

describe('guv start <folder>', () => {
  it("runs the package's main, else its start script, named after the package", async () => {
    const base = mkdtempSync(join(tmpdir(), 'guv-folder-'));
    try {
      const web = join(base, 'web');
      const starter = join(base, 'starter');
      mkdirSync(web);
      mkdirSync(starter);
      writeFileSync(join(web, 'package.json'), '{"name":"@acme/web","main":"server"}');
      writeFileSync(
        join(web, 'server.js'),
        'console.log("web in", process.cwd()); setInterval(() => {}, 1e9);',
      );
      writeFileSync(
        join(starter, 'package.json'),
        '{"name":"starter","scripts":{"start":"node main.js"}}',
      );
      writeFileSync(
        join(starter, 'main.js'),
        'console.log("started by npm"); setInterval(() => {}, 1e9);',
      );
      const first = await guv(home, ['start', 'web'], { cwd: base });
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/^acme-web \[/);
      const second = await guv(home, ['start', './starter'], { cwd: base });
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toMatch(/^starter \[/);
      const log = (name: string) => {
        try {
          return readFileSync(home.logFile(name), 'utf8');
        } catch {
          return '';
        }
      };
      await eventually(
        () => log('acme-web').includes(`web in ${web}`) || undefined,
        'web in its folder',
      );
      await eventually(
        () => log('starter').includes('started by npm') || undefined,
        'npm start ran',
      );

      const empty = join(base, 'empty');
      mkdirSync(empty);
      const refused = await guv(home, ['start', empty]);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr.trim().split('\n')).toEqual([
        `guv: ${empty} is a folder with no package.json "main", no "start" script and no index.js: name a script`,
      ]);
    } finally {
      await guv(home, ['remove', 'acme-web', 'starter']);
      rmSync(base, { recursive: true, force: true });
    }
  }, 90_000);
});

describe('--help never runs the command', () => {
  it('guv kill --help prints a usage and the daemon keeps running; dump --help writes nothing', async () => {
    for (const command of ['kill', 'dump', 'restore', 'ui', 'list', 'lsapps', 'config']) {
      const result = await guv(home, [command, '--help']);
      expect(result.code, `${command}: ${result.stderr}`).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^usage: guv ${command}`));
    }
    const status = await guv(home, ['status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^guv daemon +running/m);
  }, 60_000);
});

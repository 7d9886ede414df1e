import { describe, expect, it } from 'vitest';
import { healthOf } from '../../src/foreground/health.js';
import { exitMessage, jsonFact, rawFact } from '../../src/foreground/lifecycle-lines.js';
import { killAll } from '../../src/foreground/force-stop.js';
import { jsonLine, rawLine } from '../../src/foreground/log-lines.js';
import { splitRunArgs } from '../../src/foreground/run-args.js';

describe("guv run's arguments", () => {
  it("takes its own flags out and leaves guv start's, and the script's after --", () => {
    expect(
      splitRunArgs(['app.js', '--raw', '--health-port', '8080', '-i', '2', '--', '--raw']),
    ).toEqual({
      raw: true,
      healthPort: 8080,
      healthHost: '127.0.0.1',
      startArgs: ['app.js', '-i', '2', '--', '--raw'],
    });
    expect(splitRunArgs(['apps.json', '--health-host=0.0.0.0', '--health-port=0'])).toMatchObject({
      healthPort: 0,
      healthHost: '0.0.0.0',
      startArgs: ['apps.json'],
    });
  });

  it('refuses a missing target, a bad port, a host with odd characters', () => {
    expect(() => splitRunArgs(['--raw'])).toThrow(/needs a script or an apps file/);
    expect(() => splitRunArgs(['a.js', '--health-port', '70000'])).toThrow(/--health-port/);
    expect(() => splitRunArgs(['a.js', '--health-port'])).toThrow(/needs a value/);
    expect(() => splitRunArgs(['a.js', '--health-host', 'a b'])).toThrow(/--health-host/);
  });
});

describe("guv run's output lines", () => {
  const line = { app: 'web', id: 'w1', level: 'error' as const, date: 0, message: 'boom' };
  it("JSON with pm2-runtime's keys; stderr and warnings are type err", () => {
    expect(JSON.parse(jsonLine(line))).toEqual({
      timestamp: '1970-01-01T00:00:00.000Z',
      app_name: 'web',
      process_id: 'w1',
      type: 'err',
      level: 'error',
      message: 'boom',
    });
    expect(JSON.parse(jsonLine({ ...line, level: 'info', worker: 2 }))).toMatchObject({
      type: 'out',
      worker: 2,
    });
  });
  it('raw: the app (and worker) name, then the line', () => {
    expect(rawLine(line)).toBe('web | boom');
    expect(rawLine({ ...line, worker: 1 })).toBe('web#1 | boom');
  });
});

describe('the health report', () => {
  it('healthy only with at least one app and every app running', () => {
    expect(healthOf([]).healthy).toBe(false);
    expect(healthOf([{ name: 'a', status: 'running' }]).healthy).toBe(true);
    expect(
      healthOf([
        { name: 'a', status: 'running' },
        { name: 'b', status: 'restarting' },
      ]),
    ).toMatchObject({ healthy: false, body: { status: 'unhealthy' } });
  });
});

describe('the second stop signal', () => {
  it('SIGKILLs each process group and process, ignoring the ones already gone', () => {
    const sent: Array<[number, string]> = [];
    killAll([10, 20], ((pid: number, signal: string) => {
      sent.push([pid, signal]);
      if (pid === 20) throw new Error('ESRCH');
      return true;
    }) as typeof process.kill);
    expect(sent).toEqual([
      [-10, 'SIGKILL'],
      [10, 'SIGKILL'],
      [-20, 'SIGKILL'],
      [20, 'SIGKILL'],
    ]);
  });
});

describe("supervision's own lines", () => {
  it('say how an app ended, apart from its own lines', () => {
    expect(exitMessage(1, null)).toBe('exited with code 1');
    expect(exitMessage(null, 'SIGKILL')).toBe('killed by SIGKILL');
    const fact = { app: 'web', id: 'w1', event: 'process:exit', message: 'exited', date: 0 };
    expect(rawFact(fact)).toBe('guv | web exited');
    expect(JSON.parse(jsonFact(fact))).toMatchObject({ type: 'guv', event: 'process:exit' });
  });
});

import { describe, expect, it } from 'vitest';
import { healthOf } from '../../src/foreground/health.js';
import { exitMessage, jsonFact, rawFact } from '../../src/foreground/lifecycle-lines.js';
import { killAll } from '../../src/foreground/force-stop.js';
import { jsonLine, rawLine } from '../../src/foreground/log-lines.js';
import { parseRunOptions } from '../../src/foreground/run-args.js';

describe("guv run's own options", () => {
  it('reads the health endpoint and output options', () => {
    expect(parseRunOptions({ raw: true, healthPort: '8080' })).toEqual({
      raw: true,
      healthPort: 8080,
      healthHost: '127.0.0.1',
    });
    expect(parseRunOptions({ healthHost: '0.0.0.0', healthPort: '0' })).toEqual({
      raw: false,
      healthPort: 0,
      healthHost: '0.0.0.0',
    });
    expect(parseRunOptions({})).toEqual({ raw: false, healthPort: null, healthHost: '127.0.0.1' });
  });

  it('refuses a bad port and a host with odd characters', () => {
    expect(() => parseRunOptions({ healthPort: '70000' })).toThrow(/--health-port/);
    expect(() => parseRunOptions({ healthPort: 'x' })).toThrow(/--health-port/);
    expect(() => parseRunOptions({ healthHost: 'a b' })).toThrow(/--health-host/);
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

import { describe, expect, it } from 'vitest';
import { ExitLog } from '../../src/keeper/exit-log.js';
import { KEEPER_LIMITS } from '../../src/keeper/protocol.js';
import { parseKeeperRequest } from '../../src/keeper/validate.js';

const plan = {
  command: '/usr/bin/node',
  args: ['app.js'],
  cwd: '/srv/app',
  env: { PATH: '/usr/bin' },
  uid: 33,
  gid: 33,
  stdin: 'pipe',
  ipc: true,
  maxIpcBytes: 1 << 20,
};
const logs = {
  name: 'web',
  workerIndex: null,
  cluster: false,
  maxBytes: 1 << 20,
  keep: 2,
  fileMode: 0o600,
  dirMode: 0o700,
  gid: null,
  time: true,
  userFiles: null,
};
const userFiles = { out: '/srv/app/out.log', err: null, uid: 33, gid: 33 };

function spawnWith(overrides: { plan?: object; logs?: object; meta?: unknown }) {
  return parseKeeperRequest({
    id: 7,
    op: 'spawn',
    childId: 'web',
    plan: { ...plan, ...overrides.plan },
    logs: { ...logs, ...overrides.logs },
    meta: overrides.meta ?? null,
  });
}

describe('parseKeeperRequest', () => {
  it('keeps a well-formed spawn, and only the protocol’s fields', () => {
    const parsed = parseKeeperRequest({
      id: 7,
      op: 'spawn',
      childId: 'web',
      plan: { ...plan, detached: false, shell: true },
      logs,
      meta: { restarts: 1 },
      extra: 'ignored',
    });
    expect(parsed).toEqual({
      ok: true,
      request: { id: 7, op: 'spawn', childId: 'web', plan, logs, meta: { restarts: 1 } },
    });
  });

  it.each([
    ['a relative command', { plan: { command: 'node' } }],
    ['a relative cwd', { plan: { cwd: 'srv' } }],
    ['an argument that is not a string', { plan: { args: ['a', 2] } }],
    ['too many arguments', { plan: { args: Array(KEEPER_LIMITS.argCount + 1).fill('a') } }],
    ['arguments too long', { plan: { args: ['x'.repeat(KEEPER_LIMITS.argBytes + 1)] } }],
    ['an env name with =', { plan: { env: { 'A=B': 'x' } } }],
    ['an env value with NUL', { plan: { env: { A: 'x\0y' } } }],
    ['an env too large', { plan: { env: { A: 'x'.repeat(KEEPER_LIMITS.envBytes) } } }],
    ['a uid that is not a number', { plan: { uid: '0' } }],
    ['a negative gid', { plan: { gid: -1 } }],
    ['stdin inherited', { plan: { stdin: 'inherit' } }],
    ['a log name with a slash', { logs: { name: 'a/b' } }],
    ['a log name ..', { logs: { name: '..' } }],
    ['a world-writable log file', { logs: { fileMode: 0o666 } }],
    ['a world-readable log folder', { logs: { dirMode: 0o755 } }],
    ['a meta too large', { meta: 'x'.repeat(KEEPER_LIMITS.meta + 1) }],
    ['no time', { logs: { time: undefined } }],
    ['a time that is not a boolean', { logs: { time: 'false' } }],
    ['no userFiles', { logs: { userFiles: undefined } }],
    ['userFiles that are not an object', { logs: { userFiles: ['/srv/out.log'] } }],
    ['a relative out file', { logs: { userFiles: { ...userFiles, out: 'out.log' } } }],
    ['an err file that is not a string', { logs: { userFiles: { ...userFiles, err: 1 } } }],
    ['an empty out file', { logs: { userFiles: { ...userFiles, out: '' } } }],
    ['an out file with NUL', { logs: { userFiles: { ...userFiles, out: '/srv/a\0b' } } }],
    [
      'an out file past the path cap',
      { logs: { userFiles: { ...userFiles, out: `/${'x'.repeat(KEEPER_LIMITS.pathBytes)}` } } },
    ],
    [
      'an err file past the path cap in bytes',
      { logs: { userFiles: { ...userFiles, err: `/${'é'.repeat(KEEPER_LIMITS.pathBytes / 2)}` } } },
    ],
    ['a negative file uid', { logs: { userFiles: { ...userFiles, uid: -1 } } }],
    ['a fractional file gid', { logs: { userFiles: { ...userFiles, gid: 1.5 } } }],
    ['a file uid as text', { logs: { userFiles: { ...userFiles, uid: '33' } } }],
    ['a file uid past 32 bits', { logs: { userFiles: { ...userFiles, uid: 2 ** 32 } } }],
    ['a file gid left out', { logs: { userFiles: { out: '/srv/out.log', err: null, uid: 1 } } }],
  ])('refuses %s, answering the request’s id', (_what, overrides) => {
    expect(spawnWith(overrides)).toMatchObject({ ok: false, id: 7 });
  });

  it('keeps the user’s files, raw lines and null ids (the keeper’s own account)', () => {
    for (const files of [
      userFiles,
      { out: null, err: '/srv/app/err.log', uid: null, gid: 33 },
      { out: '/srv/app/out.log', err: '/srv/app/out.log', uid: null, gid: null },
    ]) {
      const parsed = spawnWith({ logs: { time: false, userFiles: { ...files, extra: 1 } } });
      expect(parsed).toMatchObject({
        ok: true,
        request: { logs: { time: false, userFiles: files } },
      });
      expect(parsed.ok && parsed.request.op === 'spawn' && parsed.request.logs.userFiles).toEqual(
        files,
      );
    }
  });

  it('refuses unknown ops, signals that do not exist, and frames without an id', () => {
    expect(parseKeeperRequest({ id: 1, op: 'exec' })).toMatchObject({ ok: false, id: 1 });
    expect(
      parseKeeperRequest({ id: 1, op: 'signal', childId: 'web', signal: 'SIGNOPE' }),
    ).toMatchObject({ ok: false });
    expect(
      parseKeeperRequest({ id: 1, op: 'signal', childId: 'web', signal: 'SIGTERM' }),
    ).toMatchObject({ ok: true });
    expect(parseKeeperRequest({ op: 'facts' })).toMatchObject({ ok: false, id: null });
    expect(parseKeeperRequest('facts')).toMatchObject({ ok: false, id: null });
    expect(parseKeeperRequest(null)).toMatchObject({ ok: false, id: null });
  });
});

describe('ExitLog', () => {
  const exit = (childId: string) => ({
    childId,
    pid: 1,
    code: 1,
    signal: null,
    at: 0,
    witnessed: false,
    meta: null,
  });

  it('keeps at most its bound, dropping the oldest and counting them', () => {
    const log = new ExitLog(3);
    for (const id of ['a', 'b', 'c', 'd', 'e']) log.add(exit(id));
    expect(log.records.map((r) => r.childId)).toEqual(['c', 'd', 'e']);
    expect(log.dropped).toBe(2);
  });

  it('forgets what a daemon acknowledged, and only that', () => {
    const log = new ExitLog(10);
    const [a, b] = [log.add(exit('a')), log.add(exit('b'))];
    log.add(exit('c'));
    expect(a.seq).toBeLessThan(b.seq);
    log.ack(b.seq);
    expect(log.records.map((r) => r.childId)).toEqual(['c']);
  });
});

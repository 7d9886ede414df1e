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
};

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
  ])('refuses %s, answering the request’s id', (_what, overrides) => {
    expect(spawnWith(overrides)).toMatchObject({ ok: false, id: 7 });
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

import { describe, expect, it } from 'vitest';
import { findInFile } from '../../../src/accounts/names.js';
import { killGroup } from '../../../src/actors/child/kill-group.js';
import { parseProcStat } from '../../../src/procfs/proc-stat.js';
import { readProcessStartTime } from '../../../src/procfs/process-identity.js';
import { planSpawn, runsWithNode } from '../../../src/actors/child/spawn-plan.js';
import { toChildEvent } from '../../../src/actors/child/wrapper-events.js';
import { WRAPPER_CMD } from '../../../src/actors/wrapper/protocol.js';
import { specFor } from './harness.js';

const context = {
  id: 'web',
  identity: null,
  preloadPath: '/guv/dist/actors/wrapper/preload.cjs',
  nodePath: '/usr/bin/node',
  setprivPath: '/usr/bin/setpriv',
  heartbeatMs: 1000,
  orphanKillMs: 5000,
};
const nobody = { uid: 65534, gid: 65534, user: 'nobody', home: '/nonexistent' };

describe('planSpawn', () => {
  it('runs node scripts with the wrapper, IPC, only the spec env and the wrapper settings', () => {
    const spec = specFor('hello.js', { execArgv: ['--inspect'], args: ['x'], appReadiness: true });
    const plan = planSpawn(spec, context);
    expect(plan.command).toBe('/usr/bin/node');
    expect(plan.args).toEqual(['--inspect', '--require', context.preloadPath, spec.script, 'x']);
    expect(plan.options.stdio).toEqual(['pipe', 'pipe', 'pipe', 'ipc']);
    expect(plan.options.detached).toBe(true);
    expect(plan.options.env).toEqual({
      ...spec.env,
      GUV_CHILD_ID: 'web',
      GUV_HEARTBEAT_MS: '1000',
      GUV_ORPHAN_KILL_MS: '5000',
      GUV_APP_READINESS: '1',
    });
  });

  it('starts node already as the user, through setpriv with initgroups, keeping IPC', () => {
    const spec = specFor('hello.js', { user: 'nobody', execArgv: ['--require', './hook.js'] });
    const plan = planSpawn(spec, { ...context, identity: nobody });
    expect(plan.command).toBe('/usr/bin/setpriv');
    expect(plan.args).toEqual([
      ...['--reuid', '65534', '--regid', '65534', '--init-groups', '--', '/usr/bin/node'],
      ...['--require', './hook.js', '--require', context.preloadPath, spec.script],
    ]);
    expect(plan.options.stdio).toEqual(['pipe', 'pipe', 'pipe', 'ipc']);
    expect(plan.options.uid).toBeUndefined();
    expect(plan.options.env).toMatchObject({ HOME: '/nonexistent', USER: 'nobody' });
    expect(plan.options.env?.GUV_DROP_PRIVILEGES).toBeUndefined();
    const direct = planSpawn(spec, { ...context, identity: nobody, setprivPath: null });
    expect(direct.command).toBe('/usr/bin/node');
    expect(direct.options).toMatchObject({ uid: 65534, gid: 65534 });
  });

  it("with --group alone keeps the uid, sets the gid and clears root's groups", () => {
    const groupOnly = { uid: null, gid: 100, user: null, home: null };
    const spec = specFor('hello.js', { group: 'users' });
    const plan = planSpawn(spec, { ...context, identity: groupOnly });
    expect(plan.args.slice(0, 5)).toEqual([
      '--regid',
      '100',
      '--clear-groups',
      '--',
      '/usr/bin/node',
    ]);
    expect(plan.options.env?.USER).toBeUndefined();
    const direct = planSpawn(spec, { ...context, identity: groupOnly, setprivPath: null });
    expect(direct.options.gid).toBe(100);
    expect(direct.options.uid).toBeUndefined();
  });

  it('runs other executables directly, through setpriv under another user', () => {
    const spec = specFor('script.sh', { interpreter: 'none', args: ['a'] });
    expect(planSpawn(spec, context)).toMatchObject({
      command: spec.script,
      args: ['a'],
      wrapped: false,
    });
    expect(planSpawn(spec, { ...context, identity: nobody }).args).toEqual([
      ...['--reuid', '65534', '--regid', '65534', '--init-groups', '--', spec.script, 'a'],
    ]);
    const direct = planSpawn(spec, { ...context, identity: nobody, setprivPath: null });
    expect(direct.options).toMatchObject({ uid: 65534, gid: 65534 });
  });

  it('runs under node whatever the extension when the interpreter is node', () => {
    expect(runsWithNode(specFor('esm.mjs'))).toBe(true);
    expect(runsWithNode(specFor('app.ts', { execArgv: ['--import', 'file:///p/tsx.mjs'] }))).toBe(
      true,
    );
    expect(runsWithNode(specFor('script.sh', { interpreter: '/usr/bin/bash' }))).toBe(false);
    expect(runsWithNode(specFor('hello.js', { interpreter: 'none' }))).toBe(false);
  });

  it('runs another interpreter with its flags before the script, without IPC', () => {
    const spec = specFor('job.py', {
      interpreter: '/usr/bin/python3',
      execArgv: ['-u'],
      args: ['x'],
    });
    const plan = planSpawn(spec, context);
    expect(plan.command).toBe('/usr/bin/python3');
    expect(plan.args).toEqual(['-u', spec.script, 'x']);
    expect(plan.wrapped).toBe(false);
    expect(plan.options.stdio).toEqual(['pipe', 'pipe', 'pipe']);
    const asUser = planSpawn({ ...spec, user: 'nobody' }, { ...context, identity: nobody });
    expect(asUser.command).toBe('/usr/bin/setpriv');
    expect(asUser.args.slice(-4)).toEqual(['/usr/bin/python3', '-u', spec.script, 'x']);
  });
});

describe('process facts', () => {
  it('reads the start time of a live process and null for a missing one', () => {
    expect(Number(readProcessStartTime(process.pid))).toBeGreaterThan(0);
    expect(readProcessStartTime(2 ** 22 + 1)).toBeNull();
  });

  it('parses /proc stat lines whose command name holds spaces and parentheses', () => {
    const rest = Array.from({ length: 20 }, (_, i) => String(i + 3)).join(' ');
    const fields = parseProcStat(`42 (a (b) c) ${rest}`);
    expect(fields[0]).toBe('3'); // field 3, the state
    expect(fields[19]).toBe('22'); // field 22, the start time
  });

  it('tolerates signalling a group that is gone', () => {
    expect(killGroup(2 ** 22 + 1, 'SIGTERM')).toBe(false);
  });

  it('finds passwd entries by name or id', () => {
    const passwd = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/nonexistent:/bin/false\n';
    expect(findInFile(passwd, 'nobody')?.[2]).toBe('65534');
    expect(findInFile(passwd, '0')?.[0]).toBe('root');
    expect(findInFile(passwd, 'ghost')).toBeNull();
  });
});

describe('toChildEvent', () => {
  const error = { name: 'Error', message: 'x' };
  it('maps wrapper messages to chart events', () => {
    expect(toChildEvent({ cmd: WRAPPER_CMD, type: 'uncaught', error, handled: true })).toEqual({
      type: 'CHILD.UNCAUGHT',
      error,
    });
    expect(toChildEvent({ cmd: WRAPPER_CMD, type: 'uncaught', error, handled: false })).toEqual({
      type: 'CHILD.FATALITY',
      error,
    });
    expect(toChildEvent({ cmd: WRAPPER_CMD, type: 'log', level: 'warn', message: 'm' })).toBeNull();
  });
});

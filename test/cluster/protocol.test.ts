import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { WRAPPER_CMD } from '../../src/actors/wrapper/protocol.js';
import * as protocol from '../../src/cluster/protocol.js';
import { workerEnv, workerIndexOf } from '../../src/cluster/worker-env.js';
import { ensureManagerBuilt } from './build-manager.js';

const require = createRequire(import.meta.url);

describe('cluster manager protocol', () => {
  it('the manager (CommonJS) keeps the same type lists as protocol.ts', () => {
    const manager = require(ensureManagerBuilt()) as Record<string, unknown>;
    expect(manager.MANAGER_COMMAND_TYPES).toEqual(protocol.MANAGER_COMMAND_TYPES);
    expect(manager.MANAGER_MESSAGE_TYPES).toEqual(protocol.MANAGER_MESSAGE_TYPES);
    expect(manager.WRAPPER_CMD).toBe(WRAPPER_CMD);
  });

  it('tells manager messages from anything else', () => {
    expect(
      protocol.isManagerMessage({ type: 'exit', workerId: 'w.0', code: 0, signal: null }),
    ).toBe(true);
    expect(protocol.isManagerMessage({ type: 'nope' })).toBe(false);
    expect(protocol.isManagerMessage('ready')).toBe(false);
  });

  it('gives each worker its slot index and the wrapper settings', () => {
    const spec = {
      script: '/srv/app.js',
      args: [],
      execArgv: [],
      interpreter: 'node' as const,
      cwd: '/srv',
      env: {},
      user: null,
      group: null,
      appReadiness: true,
    };
    expect(workerEnv('abc.2.1', 2, spec, { heartbeatMs: 0 })).toEqual({
      GUV_CHILD_ID: 'abc.2.1',
      GUV_HEARTBEAT_MS: '0',
      GUV_ORPHAN_KILL_MS: '5000',
      GUV_APP_READINESS: '1',
      NODE_APP_INSTANCE: '2',
      GUV_WORKER_INDEX: '2',
    });
    expect(workerIndexOf('abc', 'abc.3')).toBe(3);
    expect(workerIndexOf('abc', 'abc.3.7')).toBe(3);
    expect(() => workerIndexOf('abc', 'other.1')).toThrow(TypeError);
  });
});

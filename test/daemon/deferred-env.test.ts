import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deferStartupEnv, restoreDeferredEnv } from '../../src/protocol/start-handshake.js';
import {
  cleanupAllHomes,
  daemonPid,
  eventually,
  guv,
  makeHome,
} from '../helpers/daemon-harness.js';

afterAll(cleanupAllHomes);

function environOf(pid: number): Record<string, string> {
  const entries = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  return Object.fromEntries(entries.map((entry) => entry.split(/=(.*)/s, 2) as [string, string]));
}

describe('variables Node acts on at start-up', () => {
  it('are renamed for the daemon and put back, leaving the caller’s object alone', () => {
    const env = { NODE_EXTRA_CA_CERTS: '/etc/ca.pem', PATH: '/bin' };
    const deferred = deferStartupEnv(env);
    expect(deferred).toEqual({ GUV_DEFERRED_NODE_EXTRA_CA_CERTS: '/etc/ca.pem', PATH: '/bin' });
    expect(env.NODE_EXTRA_CA_CERTS).toBe('/etc/ca.pem');
    restoreDeferredEnv(deferred);
    expect(deferred).toEqual(env);
    expect(deferStartupEnv({ PATH: '/bin' })).toEqual({ PATH: '/bin' });
  });

  it('do not reach the daemon’s start, but an app started from the CLI gets its own', async () => {
    const home = makeHome();
    const caFile = join(home.dir, 'extra-ca.pem');
    writeFileSync(caFile, '');
    const script = join(home.dir, 'print-ca.js');
    writeFileSync(
      script,
      "console.log('ca=' + process.env.NODE_EXTRA_CA_CERTS); setInterval(() => {}, 1 << 30);\n",
    );
    home.env.NODE_EXTRA_CA_CERTS = caFile;
    const started = await guv(home, ['start', script, '--name', 'ca']);
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    const daemonEnv = environOf(daemonPid(home));
    expect(daemonEnv.NODE_EXTRA_CA_CERTS).toBeUndefined();
    expect(daemonEnv.GUV_DEFERRED_NODE_EXTRA_CA_CERTS).toBe(caFile);
    await eventually(
      () => readFileSync(home.logFile('ca'), 'utf8').includes(`ca=${caFile}`),
      'the app to print the CA file it was given',
    );
  });
});

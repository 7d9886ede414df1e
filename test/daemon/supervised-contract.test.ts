import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GuvClient } from '../../src/client/api.js';
import {
  cleanupHome,
  fixture,
  guv,
  makeHome,
  startDaemon,
  type TestHome,
} from '../helpers/daemon-harness.js';

let home: TestHome;
let client: GuvClient;

beforeAll(async () => {
  home = makeHome();
  client = await startDaemon(home);
  const started = await guv(home, ['start', fixture('signal-listener.js'), '--name', 'single']);
  expect(started.code, started.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  await cleanupHome(home);
}, 60_000);

/** The GuvError code and message of a request the daemon refuses. */
async function refusal(
  method: string,
  params: unknown,
): Promise<{ code: string; message: string }> {
  const error = await client.requestUnchecked(method, params).then(
    () => null,
    (caught: { code: string; message: string }) => caught,
  );
  expect(error, `${method} should be refused`).not.toBeNull();
  return { code: error!.code, message: error!.message };
}

describe('a single process behind the Supervised contract, end to end', () => {
  it('answers cluster-only requests (resize, why --worker) with GUV_NOT_A_CLUSTER', async () => {
    const notACluster = {
      code: 'GUV_NOT_A_CLUSTER',
      message: 'single is a single process, not a cluster (start it with -i <n>)',
    };
    expect(await refusal('resize', { target: 'single', instances: 3 })).toEqual(notACluster);
    expect(await refusal('why', { target: 'single', worker: 0 })).toEqual(notACluster);
  });

  it('live commands reach its one child, and answer in the single-process shape (no worker fields)', async () => {
    await expect(
      client.request('send', { target: 'single', event: 'nobody-listens' }),
    ).resolves.toEqual({
      delivered: false,
    });
    await expect(
      client.request('signal', { target: 'single', signal: 'SIGUSR2' }),
    ).resolves.toEqual({
      signal: 'SIGUSR2',
    });
    await expect(client.request('gc', { target: 'single' })).resolves.toEqual({ ok: true });
    await expect(client.request('write', { target: 'single', data: 'x' })).resolves.toEqual({
      written: 1,
    });
  });

  it('a stopped process has no live target: live commands say it is not running', async () => {
    const stopped = await client.request('stop', {
      target: 'single',
    });
    expect(stopped).toMatchObject({ status: 'stopped', kind: 'process' });
    expect(stopped).toHaveProperty('lastExit');
    expect(await refusal('gc', { target: 'single' })).toEqual({
      code: 'GUV_PROCESS_NOT_RUNNING',
      message: 'single is not running',
    });
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterInfo, ProcessInfo, WorkerInfo } from '../../src/types/info.js';
import {
  cleanupHome,
  fixture,
  makeHome,
  recordEvents,
  startDaemon,
  startTracked,
  type TestHome,
} from '../helpers/daemon-harness.js';

let home: TestHome | undefined;

afterEach(async () => {
  if (home) await cleanupHome(home);
  home = undefined;
}, 60_000);

const refusal = expect.stringMatching(/process:msg was not sent: .*over 65536 characters of JSON/);

describe("a child's process.send({ type: 'process:msg', data }) is relayed to subscribers (pm2's launchBus)", () => {
  it("finding: a process's message is published as process:msg (processInfo, data); data over the cap is dropped, and said so", async () => {
    home = makeHome();
    const client = await startDaemon(home);
    const events = await recordEvents(client, '*');
    await startTracked(client, home, fixture('app-messages.js'), { name: 'talker' });
    await events.waitFor(
      (e) => e.type === 'process:msg' && (e.args[1] as { done?: boolean })?.done === true,
      'the last process:msg',
    );
    const messages = events.events.filter((e) => e.type === 'process:msg');
    expect(messages.every((e) => (e.args[0] as ProcessInfo).name === 'talker')).toBe(true);
    expect(messages.map((e) => e.args[1])).toEqual([
      { hello: 'world', slot: null },
      { refused: refusal, slot: null },
      { done: true, slot: null },
    ]);
    await events.waitFor(
      (e) => e.type === 'daemon:log:warn' && /msg: data over 65536/.test(JSON.stringify(e.args)),
      'the dropped message reported',
    );
  }, 60_000);

  it("finding: a cluster worker's message is published as worker:msg (clusterInfo, workerInfo, data)", async () => {
    home = makeHome();
    const client = await startDaemon(home);
    const events = await recordEvents(client, 'worker:*');
    await startTracked(client, home, fixture('app-messages.js'), { name: 'crowd', instances: 2 });
    for (const slot of ['0', '1']) {
      await events.waitFor(
        (e) =>
          e.type === 'worker:msg' &&
          (e.args[2] as { done?: boolean; slot?: string })?.slot === slot &&
          (e.args[2] as { done?: boolean }).done === true,
        `the last worker:msg of worker ${slot}`,
      );
    }
    const messages = events.events.filter((e) => e.type === 'worker:msg');
    for (const slot of ['0', '1']) {
      const own = messages.filter((e) => (e.args[2] as { slot?: string }).slot === slot);
      expect(own.map((e) => e.args[2])).toEqual([
        { hello: 'world', slot },
        { refused: refusal, slot },
        { done: true, slot },
      ]);
      for (const e of own) {
        expect((e.args[0] as ClusterInfo).name).toBe('crowd');
        expect((e.args[1] as WorkerInfo).name).toBe(`crowd#${slot}`);
      }
    }
  }, 60_000);
});

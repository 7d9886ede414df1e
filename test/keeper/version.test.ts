import { existsSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectKeeper, type KeeperClient, retireKeeper } from '../../src/keeper/client.js';
import { type RunningKeeper, runKeeper } from '../../src/keeper/keeper.js';
import { parseKeeperRequest } from '../../src/keeper/validate.js';
import type { KeeperVersions } from '../../src/keeper/protocol.js';
import { alive, cleanupHome } from '../helpers/daemon-harness.js';
import { type KeeperHome, logsFor, makeKeeperHome, plainPlan } from './harness.js';

const homes: KeeperHome[] = [];
const clients: KeeperClient[] = [];
const keepers: RunningKeeper[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const keeper of keepers.splice(0)) await keeper.stop(0);
  for (const made of homes.splice(0)) await cleanupHome(made);
}, 60_000);

/** A keeper of `versions` run in this process, as a keeper of another guv version would be. */
async function keeperSpeaking(versions: KeeperVersions) {
  const where = makeKeeperHome();
  homes.push(where);
  const lines: string[] = [];
  const keeper = await runKeeper({
    socketDir: where.socketDir,
    logsDir: where.logsDir,
    idleExitMs: 60_000,
    log: (line) => lines.push(line),
    versions,
  });
  keepers.push(keeper);
  return { where, keeper, lines };
}

async function connectAs(where: KeeperHome, versions: KeeperVersions): Promise<KeeperClient> {
  const client = await connectKeeper(where.socketDir, { timeoutMs: 5000, versions });
  clients.push(client);
  return client;
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms).unref(),
    ),
  ]);
}

function rawHello(where: KeeperHome, hello: object): Promise<string> {
  const token = readFileSync(join(where.socketDir, 'keeper.token'), 'utf8').trim();
  return new Promise((resolve) => {
    const socket = createConnection(join(where.socketDir, 'keeper.sock'));
    let answer = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      answer += chunk;
      if (answer.includes('\n')) socket.destroy();
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(answer));
    socket.write(`${JSON.stringify({ id: 0, op: 'hello', token, ...hello })}\n`);
    setTimeout(() => socket.destroy(), 10_000).unref();
  });
}

describe('keeper protocol versions', () => {
  it('a keeper of versions 2–3 and a daemon of 1–1 do not agree: refused with GUV_KEEPER_VERSION', async () => {
    const { where, keeper } = await keeperSpeaking({ oldest: 2, newest: 3 });
    await expect(
      connectKeeper(where.socketDir, { timeoutMs: 5000, versions: { oldest: 1, newest: 1 } }),
    ).rejects.toMatchObject({ code: 'GUV_KEEPER_VERSION' });
    // Refused, not retired: it still answers a daemon it can speak with.
    const client = await connectAs(where, { oldest: 3, newest: 4 });
    expect(client.facts.version).toBe(3);
    expect(client.facts.pid).toBe(process.pid);
    await keeper.stop(0);
  });

  it('overlapping ranges agree on the highest version both speak', async () => {
    const { where } = await keeperSpeaking({ oldest: 2, newest: 5 });
    expect((await connectAs(where, { oldest: 1, newest: 3 })).facts.version).toBe(3);
    expect((await connectAs(where, { oldest: 4, newest: 9 })).facts.version).toBe(5);
    const latest = await connectAs(where, { oldest: 5, newest: 5 });
    expect(latest.facts.version).toBe(5);
    expect((await latest.readFacts()).version).toBe(5);
  });

  it('reads a version-1 hello without `oldest` as oldest = version', async () => {
    const { where } = await keeperSpeaking({ oldest: 1, newest: 2 });
    const answer = JSON.parse(await rawHello(where, { version: 1 }));
    expect(answer).toMatchObject({ re: 0, ok: true, result: { version: 1 } });
    const newer = JSON.parse(await rawHello(where, { version: 7, oldest: 2 }));
    expect(newer).toMatchObject({ re: 0, ok: true, result: { version: 2 } });
    const onlySeven = JSON.parse(await rawHello(where, { version: 7 }));
    expect(onlySeven).toMatchObject({ re: 0, ok: false, error: { code: 'GUV_KEEPER_VERSION' } });
    const { where: two } = await keeperSpeaking({ oldest: 2, newest: 2 });
    const refused = JSON.parse(await rawHello(two, { version: 1 }));
    expect(refused).toMatchObject({ re: 0, ok: false, error: { code: 'GUV_KEEPER_VERSION' } });
  });

  it('retire (token in hand, no hello) stops the keeper’s children and the keeper', async () => {
    const { where, keeper, lines } = await keeperSpeaking({ oldest: 2, newest: 3 });
    const owner = await connectAs(where, { oldest: 2, newest: 3 });
    const child = await owner.spawn('old', plainPlan(where), logsFor('old'), null);
    owner.close();
    expect(alive(child.pid)).toBe(true);

    await expect(
      connectKeeper(where.socketDir, { timeoutMs: 5000, versions: { oldest: 1, newest: 1 } }),
    ).rejects.toMatchObject({ code: 'GUV_KEEPER_VERSION' });
    const retired = await retireKeeper(where.socketDir, { killMs: 2000, timeoutMs: 15_000 });
    expect(retired).toMatchObject({ pid: process.pid, children: 1 });
    expect(alive(child.pid)).toBe(false);
    await within(keeper.stopped, 10_000, 'the keeper stopped');
    expect(existsSync(join(where.socketDir, 'keeper.sock'))).toBe(false);
    expect(existsSync(join(where.socketDir, 'keeper.pid'))).toBe(false);
    expect(lines.join('\n')).toMatch(/retire/);
  });

  it('refuses a retire without the token, and keeps running', async () => {
    const { where } = await keeperSpeaking({ oldest: 1, newest: 1 });
    const owner = await connectAs(where, { oldest: 1, newest: 1 });
    const child = await owner.spawn('kept', plainPlan(where), logsFor('kept'), null);
    const answer = await new Promise<string>((resolve) => {
      const socket = createConnection(join(where.socketDir, 'keeper.sock'));
      let text = '';
      socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      socket.on('error', () => {});
      socket.on('close', () => resolve(text));
      socket.write(`${JSON.stringify({ id: 0, op: 'retire', token: 'wrong', killMs: 0 })}\n`);
      setTimeout(() => socket.destroy(), 10_000).unref();
    });
    expect(answer).toMatch(/GUV_KEEPER_UNREACHABLE/);
    expect(alive(child.pid)).toBe(true);
    expect((await owner.readFacts()).children.map((c) => c.pid)).toEqual([child.pid]);
  });
});

describe('hello and retire at the boundary', () => {
  const hello = (fields: object) =>
    parseKeeperRequest({ id: 0, op: 'hello', token: 't', version: 2, ...fields });

  it('takes `oldest` as a whole number no newer than `version`; none means version', () => {
    expect(hello({ oldest: 1 })).toMatchObject({ ok: true, request: { version: 2, oldest: 1 } });
    expect(hello({})).toMatchObject({ ok: true, request: { version: 2, oldest: 2 } });
    for (const oldest of [3, -1, 1.5, '1', null, 1e7]) {
      expect(hello({ oldest }).ok, String(oldest)).toBe(false);
    }
    expect(hello({ version: 1e7 }).ok).toBe(false);
  });

  it('takes retire with a token and a bounded kill timeout', () => {
    expect(parseKeeperRequest({ id: 0, op: 'retire', token: 't', killMs: 5000, extra: 1 })).toEqual(
      { ok: true, request: { id: 0, op: 'retire', token: 't', killMs: 5000 } },
    );
    for (const killMs of [-1, 600_001, 'x', undefined]) {
      expect(parseKeeperRequest({ id: 0, op: 'retire', token: 't', killMs }).ok).toBe(false);
    }
    expect(parseKeeperRequest({ id: 0, op: 'retire', killMs: 0 }).ok).toBe(false);
  });
});

import { mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveHome } from '../../src/protocol/home.js';
import {
  cleanupHome,
  daemonPid,
  makeHome,
  startDaemon,
  type TestHome,
} from '../helpers/daemon-harness.js';

// Held case (issue 12): a daemon with the default configuration opens no network socket at
// all; only its unix socket reaches it. Checked from the kernel's side: every TCP and UDP
// socket in /proc/net whose inode is one of the daemon's open files.

let homes: TestHome[] = [];

afterEach(async () => {
  for (const home of homes) await cleanupHome(home);
  homes = [];
}, 60_000);

/** The inodes of the sockets `pid` holds open. */
function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]!);
    } catch {
      // closed while we looked
    }
  }
  return inodes;
}

interface InetSocket {
  table: string;
  local: string;
  state: string;
}

/** The TCP and UDP sockets (v4 and v6) among `inodes`, e.g. `tcp 0100007F:2382 0A`. */
function inetSocketsOf(inodes: Set<string>): InetSocket[] {
  const found: InetSocket[] = [];
  for (const table of ['tcp', 'tcp6', 'udp', 'udp6']) {
    const lines = readFileSync(`/proc/net/${table}`, 'utf8').trim().split('\n').slice(1);
    for (const line of lines) {
      const fields = line.trim().split(/\s+/);
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      if (inodes.has(fields[9]!)) found.push({ table, local: fields[1]!, state: fields[3]! });
    }
  }
  return found;
}

async function daemonOf(config?: object): Promise<number> {
  const home = makeHome();
  homes.push(home);
  if (config) {
    const file = join(resolveHome(home.env).config, 'guv.json');
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, JSON.stringify(config));
  }
  const client = await startDaemon(home);
  // Booted and serving: whatever it listens on, it listens on by now.
  await client.request('status');
  return daemonPid(home);
}

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('held: a default daemon listens on no TCP port', () => {
  it('the default daemon holds no TCP or UDP socket, only its unix one', async () => {
    const pid = await daemonOf();
    const inodes = socketInodes(pid);
    expect(inodes.size).toBeGreaterThan(0);
    expect(inetSocketsOf(inodes)).toEqual([]);
  });

  it('the control: with metricsPort configured, the same check finds the listener', async () => {
    const port = await freePort();
    const pid = await daemonOf({ metricsPort: port });
    const sockets = inetSocketsOf(socketInodes(pid));
    const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
    // 0A is TCP_LISTEN; 0100007F is 127.0.0.1 as the kernel prints it.
    expect(sockets).toContainEqual({ table: 'tcp', local: `0100007F:${hexPort}`, state: '0A' });
  });
});

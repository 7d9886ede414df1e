import type { CliIO } from '../cli/command.js';
import { clientIfRunning, daemonClient } from '../cli/connect.js';
import { GuvError } from '../errors.js';
import { isPidAlive } from '../procfs/process-identity.js';
import { describeOutcome, type RunningPid, upgradeOutcome } from './upgrade-outcome.js';

const OLD_DAEMON_EXIT_MS = 30_000;
/** The next daemon re-adopts (or restarts) what ran before answering with it in `list`. */
const NEXT_DAEMON_SETTLE_MS = 30_000;

/**
 * `guv upgrade`: replaces the running daemon by the version installed now, without stopping the
 * processes the keeper runs: the old daemon hands over and exits, the new one starts and
 * re-adopts them, clusters with their workers (`guv why` says so). A keeper the new daemon cannot
 * speak to is retired and its processes restarted once; the summary counts what happened.
 */
export async function upgradeDaemon(io: CliIO): Promise<number> {
  const client = await clientIfRunning(io.env);
  if (client === null) {
    io.stdout.write('no daemon running; the next command starts the installed version\n');
    return 0;
  }
  let oldPid: number;
  let before: RunningPid[];
  try {
    oldPid = (await client.status()).pid;
    before = (await client.listProcesses()).filter((p) => p.status === 'running');
    await client.handover();
  } finally {
    await client.disconnect();
  }
  const deadline = Date.now() + OLD_DAEMON_EXIT_MS;
  while (isPidAlive(oldPid)) {
    if (Date.now() > deadline) {
      throw new GuvError('GUV_TIMEOUT', `the old daemon (pid ${oldPid}) did not exit in 30 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const next = await daemonClient(io.env);
  try {
    const after = await settledList(next, before);
    const status = await next.status();
    io.stdout.write(
      `daemon replaced (pid ${oldPid} → ${status.pid}, version ${status.version}); ` +
        `${describeOutcome(upgradeOutcome(before, after))}\n`,
    );
  } finally {
    await next.disconnect();
  }
  return 0;
}

/** The next daemon's list once every process that ran before runs again (or the deadline). */
async function settledList(
  client: Awaited<ReturnType<typeof daemonClient>>,
  before: RunningPid[],
): Promise<RunningPid[]> {
  const deadline = Date.now() + NEXT_DAEMON_SETTLE_MS;
  for (;;) {
    const list = await client.listProcesses();
    const running = new Set(list.filter((p) => p.status === 'running').map((p) => p.name));
    if (before.every((p) => running.has(p.name)) || Date.now() > deadline) {
      return list.map((p) => ({ name: p.name, pid: p.status === 'running' ? p.pid : null }));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

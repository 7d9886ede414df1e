import type { CliIO } from '../cli/command.js';
import { clientIfRunning, daemonClient } from '../cli/connect.js';
import { GuvError } from '../errors.js';
import { isPidAlive } from '../procfs/process-identity.js';

const OLD_DAEMON_EXIT_MS = 30_000;

/**
 * `guv upgrade`: replaces the running daemon by the version installed now, without stopping the
 * processes the keeper runs (guv.json `keeper`): the old daemon hands over and exits, the new one
 * starts and re-adopts them (`guv why` says so). Clusters are stopped and started again.
 */
export async function upgradeDaemon(io: CliIO): Promise<number> {
  const client = await clientIfRunning(io.env);
  if (client === null) {
    io.stdout.write('no daemon running; the next command starts the installed version\n');
    return 0;
  }
  let oldPid: number;
  let kept: number;
  try {
    oldPid = (await client.status()).pid;
    kept = (await client.handover()).kept;
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
    const status = await next.status();
    io.stdout.write(
      `daemon replaced (pid ${oldPid} → ${status.pid}, version ${status.version}); ` +
        `${kept} kept process${kept === 1 ? '' : 'es'} re-adopted\n`,
    );
  } finally {
    await next.disconnect();
  }
  return 0;
}

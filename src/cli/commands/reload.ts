import { printOutcome } from '../format/start-outcome.js';
import { appsTargetCommand } from '../apps-target-command.js';

/**
 * `guv reload <p>`: a rolling reload of a cluster (a single process is restarted, as pm2 does); exits 0 once every worker was replaced, or
 * 1 with one line when a new worker failed to start (the old workers keep serving).
 */
export default appsTargetCommand(async (client, target, io) => {
  const reloaded = await client.reloadProcess(target);
  // A single process is restarted: its answer is a start's outcome.
  const restarted = printOutcome(reloaded, io);
  if (restarted !== null) return restarted ? 0 : 1;
  const pids = (reloaded.workers ?? [])
    .filter((worker) => worker.role === 'serving')
    .map((worker) => worker.pid ?? '-')
    .join(', ');
  io.stdout.write(`${reloaded.name} reloaded (worker pids ${pids})\n`);
  return 0;
});

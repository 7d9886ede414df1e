import { appsTargetCommand } from '../apps-target-command.js';

/**
 * `guv reload <p>`: a rolling reload of a cluster; exits 0 once every worker was replaced, or
 * 1 with one line when a new worker failed to start (the old workers keep serving).
 */
export default appsTargetCommand('guv reload <p|apps file>', async (client, target, _rest, io) => {
  const reloaded = await client.reloadProcess(target);
  const pids = (reloaded.workers ?? [])
    .filter((worker) => worker.role === 'serving')
    .map((worker) => worker.pid ?? '-')
    .join(', ');
  io.stdout.write(`${reloaded.name} reloaded (worker pids ${pids})\n`);
  return 0;
});

import { eachTarget, targetNamesOf } from '../apps-target-command.js';
import type { CliCommand } from '../command.js';
import { withClient } from '../connect.js';
import { printOutcome } from '../format/start-outcome.js';
import { parseEnvPairs } from '../parse-options.js';

/** `guv restart <p>`: stops and starts it again; exits 0 once it runs, 1 with the outcome otherwise. */
const restart: CliCommand<{ updateEnv?: boolean; env?: string[] }> = async (
  { args: positionals, options: values },
  io,
) => {
  const updateEnv = values.updateEnv === true || values.env !== undefined;
  const options = updateEnv
    ? {
        updateEnv: true,
        env: { ...(io.env as Record<string, string>), ...parseEnvPairs(values.env ?? []) },
      }
    : {};
  // Each target in turn: a process, every process an apps file starts, or all of them.
  return withClient(io.env, async (client) =>
    eachTarget(await targetNamesOf(positionals, client, io), io, async (name) => {
      const restarted = await client.restartProcess(name, options);
      const ok = printOutcome(restarted, io);
      if (ok !== null) return ok ? 0 : 1;
      const pid = restarted.pid === null ? '' : ` (pid ${restarted.pid})`;
      io.stdout.write(`${restarted.name} ${restarted.status}${pid}\n`);
      return restarted.status === 'running' ? 0 : 1;
    }),
  );
};

export default restart;

import { parseArgs } from 'node:util';
import { GuvError } from '../../errors.js';
import { eachTarget, targetNamesOf } from '../apps-target-command.js';
import type { CliCommand } from '../command.js';
import { withClient } from '../connect.js';
import { printOutcome } from '../format/start-outcome.js';
import { parseEnvPairs } from '../parse-options.js';

const USAGE = `guv restart <p|apps file|all>… [--update-env] [--env K=V]…
  --update-env   restart it with this shell's environment (plus any --env), as pm2's --update-env
  --env K=V      set a variable (repeatable); implies --update-env`;

/** `guv restart <p>`: stops and starts it again; exits 0 once it runs, 1 with the outcome otherwise. */
const restart: CliCommand = async (args, io) => {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'update-env': { type: 'boolean' },
      env: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(`usage: ${USAGE}\n`);
    return 0;
  }
  if (positionals.length === 0) throw new GuvError('GUV_USAGE', `usage: ${USAGE.split('\n')[0]}`);
  const updateEnv = values['update-env'] === true || values.env !== undefined;
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

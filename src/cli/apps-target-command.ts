import type { GuvClient } from '../client/api.js';
import { appsFileEnv, appsFileOf, planAppsFile } from './apps-file.js';
import type { CliCommand, CliIO } from './command.js';
import { exitCodeFor, printable } from './errors.js';
import { targetCommand } from './target-command.js';

type Run = (client: GuvClient, target: string, rest: string[], io: CliIO) => Promise<number>;

/**
 * A {@link targetCommand} that also takes an apps file: `guv stop ecosystem.config.js` acts on
 * every process the file starts, one after the other, and exits with the worst status.
 */
export function appsTargetCommand(usage: string, run: Run): CliCommand {
  return targetCommand(usage, async (client, target, rest, io) => {
    const file = await appsFileOf(target);
    if (file === null) return run(client, target, rest, io);
    const plan = await planAppsFile(file, appsFileEnv(), io);
    let status = 0;
    for (const { name } of plan.apps) {
      try {
        status = Math.max(status, await run(client, name, rest, io));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        io.stderr.write(`guv: ${printable(`${name}: ${message}`)}\n`);
        status = Math.max(status, exitCodeFor(error));
      }
    }
    return status;
  });
}

import type { GuvClient } from '../client/api.js';
import { appsFileEnv, appsFileOf, planAppsFile } from './apps-file.js';
import type { CliCommand, CliIO } from './command.js';
import { exitCodeFor, printable } from './errors.js';
import { targetCommand } from './target-command.js';

type Run = (client: GuvClient, target: string, rest: string[], io: CliIO) => Promise<number>;

/** The processes `target` names: those an apps file starts, or `target` itself. */
export async function appNamesOf(target: string, io: CliIO): Promise<string[]> {
  const file = await appsFileOf(target);
  if (file === null) return [target];
  return (await planAppsFile(file, appsFileEnv(), io)).apps.map((app) => app.name);
}

/**
 * Runs `run` for each name, one after the other; with several, a failure is one line naming
 * the process and the others still run. Resolves to the worst status.
 */
export async function eachTarget(
  names: string[],
  io: CliIO,
  run: (name: string) => Promise<number>,
): Promise<number> {
  if (names.length === 1) return run(names[0]!);
  let status = 0;
  for (const name of names) {
    try {
      status = Math.max(status, await run(name));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      io.stderr.write(`guv: ${printable(`${name}: ${message}`)}\n`);
      status = Math.max(status, exitCodeFor(error));
    }
  }
  return status;
}

/**
 * A {@link targetCommand} that also takes an apps file: `guv stop ecosystem.config.js` acts on
 * every process the file starts, one after the other, and exits with the worst status.
 */
export function appsTargetCommand(usage: string, run: Run): CliCommand {
  return targetCommand(usage, async (client, target, rest, io) =>
    eachTarget(await appNamesOf(target, io), io, (name) => run(client, name, rest, io)),
  );
}

import type { GuvClient } from '../client/api.js';
import { stopOrder } from '../config/guv-config.js';
import { appsFileEnv, appsFileOf, planAppsFile } from './apps-file.js';
import type { CliCommand, CliIO } from './command.js';
import { withClient } from './connect.js';
import { exitCodeFor, printable } from './errors.js';

type Run = (client: GuvClient, target: string, io: CliIO) => Promise<number>;

/**
 * In which order an apps file's processes are acted on: `start` (what each depends on first, as
 * restart and reload do) or `stop` (dependents first, as stop and remove do).
 */
export type TargetOrder = 'start' | 'stop';

/** Every process the daemon knows: what `all` names (as pm2's `stop all`). */
export const ALL = 'all';

/** The processes `target` names: those an apps file starts, or `target` itself. */
export async function appNamesOf(
  target: string,
  io: CliIO,
  order: TargetOrder = 'start',
): Promise<string[]> {
  const file = await appsFileOf(target);
  if (file === null) return [target];
  const { apps } = await planAppsFile(file, appsFileEnv(), io);
  return (order === 'stop' ? stopOrder(apps) : apps).map((app) => app.name);
}

/**
 * The processes several targets name, each once, in order: `all` is every process, an apps file
 * those it starts, anything else itself.
 */
export async function targetNamesOf(
  targets: string[],
  client: GuvClient,
  io: CliIO,
  order: TargetOrder = 'start',
): Promise<string[]> {
  const names: string[] = [];
  for (const target of targets) {
    if (target === ALL) names.push(...(await client.listProcesses()).map((p) => p.name));
    else names.push(...(await appNamesOf(target, io, order)));
  }
  return [...new Set(names)];
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
  if (names.length === 0) {
    io.stdout.write('no processes\n');
    return 0;
  }
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
 * A command of the shape `guv <name> <target>…`: each target is a process (id, name or pid), an
 * apps file (every process it starts) or `all`; `guv stop web api` acts on both, one after the
 * other, and exits with the worst status.
 */
export function appsTargetCommand(run: Run, order: TargetOrder = 'start'): CliCommand {
  return async ({ args }, io) =>
    withClient(io.env, async (client) =>
      eachTarget(await targetNamesOf(args, client, io, order), io, (name) => run(client, name, io)),
    );
}

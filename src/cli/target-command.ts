import { parseArgs } from 'node:util';
import type { GuvClient } from '../client/api.js';
import { GuvError } from '../errors.js';
import type { CliCommand, CliIO } from './command.js';
import { withClient } from './connect.js';

/**
 * A command of the shape `guv <name> <p> [args…]`: `<p>` is an id, a name or a pid; `run`
 * does the request and prints; it resolves to the exit status.
 */
export function targetCommand(
  usage: string,
  run: (client: GuvClient, target: string, rest: string[], io: CliIO) => Promise<number>,
  minRest = 0,
): CliCommand {
  return async (args, io) => {
    const { positionals, values } = parseArgs({
      args,
      allowPositionals: true,
      options: { help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      io.stdout.write(`usage: ${usage}\n`);
      return 0;
    }
    const [target, ...rest] = positionals;
    if (target === undefined || rest.length < minRest)
      throw new GuvError('GUV_USAGE', `usage: ${usage}`);
    return withClient(io.env, (client) => run(client, target, rest, io));
  };
}

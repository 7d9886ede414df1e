import type { GuvClient } from '../client/api.js';
import type { CliCommand, CliIO } from './command.js';
import { withClient } from './connect.js';

/**
 * A command of the shape `guv <name> <p> [args…]`: `<p>` is an id, a name or a pid (the table
 * declares the arguments, commander checks their number); `run` does the request and prints.
 */
export function targetCommand(
  run: (client: GuvClient, target: string, rest: string[], io: CliIO) => Promise<number>,
): CliCommand {
  return async ({ args: [target = '', ...rest] }, io) =>
    withClient(io.env, (client) => run(client, target, rest, io));
}

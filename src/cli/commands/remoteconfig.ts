import { remoteconfig as run } from '../../remote/cli/user-commands.js';
import type { CliCommand } from '../command.js';

const remoteconfig: CliCommand<{ json?: boolean }> = async ({ args: [name], options }, io) =>
  run({ name: name ?? null, json: options.json === true }, io);

export default remoteconfig;

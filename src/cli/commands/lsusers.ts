import { lsusers as run } from '../../remote/cli/user-commands.js';
import type { CliCommand } from '../command.js';

const lsusers: CliCommand<{ json?: boolean }> = async ({ options }, io) =>
  run({ json: options.json === true }, io);

export default lsusers;

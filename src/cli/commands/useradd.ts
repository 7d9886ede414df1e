import { useradd as run } from '../../remote/cli/user-commands.js';
import type { CliCommand } from '../command.js';

const useradd: CliCommand<{ readOnly?: boolean }> = async ({ args: [name], options }, io) =>
  run({ name: name!, readOnly: options.readOnly === true }, io);

export default useradd;

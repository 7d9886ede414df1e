import { reset as run } from '../../remote/cli/user-commands.js';
import type { CliCommand } from '../command.js';

const reset: CliCommand = async ({ args: [name] }, io) => run({ name: name! }, io);

export default reset;

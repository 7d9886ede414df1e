import { rmuser as run } from '../../remote/cli/user-commands.js';
import type { CliCommand } from '../command.js';

const rmuser: CliCommand = async ({ args: [name] }, io) => run({ name: name! }, io);

export default rmuser;

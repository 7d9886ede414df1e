import { GuvError } from '../../errors.js';
import type { CliCommand } from '../command.js';
import { bashCompletion, SHELLS, zshCompletion } from '../completion-scripts.js';
import { GLOBAL_OPTIONS } from '../program.js';

/** `guv completion bash|zsh`: prints the shell's completion script. */
const completion: CliCommand = async ({ args: [shell], table }, io) => {
  if (shell === 'bash') io.stdout.write(bashCompletion(table, GLOBAL_OPTIONS));
  else if (shell === 'zsh') io.stdout.write(zshCompletion(table, GLOBAL_OPTIONS));
  else
    throw new GuvError(
      'GUV_BAD_ARGUMENT',
      `no completion for "${shell}": choose ${SHELLS.join(' or ')}`,
    );
  return 0;
};

export default completion;

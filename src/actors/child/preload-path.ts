import { builtFile } from '../../build-output.js';

/** The compiled wrapper (`preload.cjs`) every managed Node child runs with `--require`. */
export function resolvePreloadPath(): string {
  return builtFile('actors/wrapper/preload.cjs', 'child wrapper');
}

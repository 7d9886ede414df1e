import { builtFile } from '../build-output.js';

/** The daemon's compiled entry, run as its own process by autostart. */
export function resolveDaemonEntry(): string {
  return builtFile('daemon/start.cjs', 'daemon');
}

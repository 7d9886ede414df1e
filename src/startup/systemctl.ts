import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { GuvError } from '../errors.js';

/** Runs `systemctl <args>`; throws a GuvError naming the step when it fails. */
export type Systemctl = (args: string[]) => Promise<void>;

const TIMEOUT_MS = 30_000;

/** sd_booted(3): systemd is the running init when this folder exists. */
export function systemdRunning(): boolean {
  return existsSync('/run/systemd/system');
}

/** The real systemctl, with a deadline and a capped output. */
export const systemctl: Systemctl = (args) =>
  new Promise((resolve, reject) => {
    execFile(
      'systemctl',
      args,
      { timeout: TIMEOUT_MS, maxBuffer: 64 * 1024, encoding: 'utf8' },
      (error, _stdout, stderr) => {
        if (!error) return resolve();
        const command = `systemctl ${args.join(' ')}`;
        if ((error as NodeJS.ErrnoException).code === 'ENOENT')
          return reject(
            new GuvError('GUV_SYSTEMD_UNAVAILABLE', `${command}: systemctl is not installed here`, {
              cause: error,
            }),
          );
        const said = stderr.trim().split('\n').at(-1) || error.message;
        reject(new GuvError('GUV_STARTUP_FAILED', `${command} failed: ${said}`, { cause: error }));
      },
    );
  });

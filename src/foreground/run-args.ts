import { GuvError } from '../errors.js';

/** What `guv run` itself takes; everything else is `guv start`'s. */
export interface RunOptions {
  /** Plain `name | line` output instead of JSON lines. */
  raw: boolean;
  /** Opt-in health endpoint; null: none. 0 picks a free port (said on stderr). */
  healthPort: number | null;
  healthHost: string;
}

/** `guv run`'s own options as the command line gave them (commander's strings). */
export interface RunFlags {
  raw?: boolean;
  healthPort?: string;
  healthHost?: string;
}

/**
 * Checks `guv run`'s own options.
 *
 * @example
 * parseRunOptions({ raw: true, healthPort: '8080' });
 * // { raw: true, healthPort: 8080, healthHost: '127.0.0.1' }
 */
export function parseRunOptions(flags: RunFlags): RunOptions {
  return {
    raw: flags.raw === true,
    healthPort: flags.healthPort === undefined ? null : parsePort(flags.healthPort),
    healthHost: flags.healthHost === undefined ? '127.0.0.1' : parseHost(flags.healthHost),
  };
}

function parsePort(value: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65_535))
    throw new GuvError(
      'GUV_BAD_ARGUMENT',
      `--health-port must be a port (0-65535), got "${value}"`,
    );
  return port;
}

// An address or a host name, nothing a shell or a URL would read differently.
function parseHost(value: string): string {
  if (!/^[\w.:-]{1,253}$/.test(value))
    throw new GuvError('GUV_BAD_ARGUMENT', `--health-host must be an address, got "${value}"`);
  return value;
}

import { GuvError } from '../errors.js';

/** What `guv run` itself takes; everything else is `guv start`'s. */
export interface RunOptions {
  /** Plain `name | line` output instead of JSON lines. */
  raw: boolean;
  /** Opt-in health endpoint; null: none. 0 picks a free port (said on stderr). */
  healthPort: number | null;
  healthHost: string;
  /** The arguments for `guv start`: a script and its start options, or an apps file. */
  startArgs: string[];
}

const OWN_VALUE_FLAGS = new Set(['--health-port', '--health-host']);

/**
 * Takes `guv run`'s own flags out of its arguments, leaving `guv start`'s, before any `--` (the
 * script's arguments after it are left alone).
 *
 * @example
 * splitRunArgs(['app.js', '--raw', '--health-port', '8080', '-i', '2']);
 * // { raw: true, healthPort: 8080, healthHost: '127.0.0.1', startArgs: ['app.js', '-i', '2'] }
 */
export function splitRunArgs(args: readonly string[]): RunOptions {
  const options: RunOptions = {
    raw: false,
    healthPort: null,
    healthHost: '127.0.0.1',
    startArgs: [],
  };
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (word === '--') {
      options.startArgs.push(...args.slice(i));
      break;
    }
    if (word === '--raw') {
      options.raw = true;
      continue;
    }
    const equals = word.indexOf('=');
    const flag = equals === -1 ? word : word.slice(0, equals);
    if (!OWN_VALUE_FLAGS.has(flag)) {
      options.startArgs.push(word);
      continue;
    }
    const value = equals === -1 ? args[++i] : word.slice(equals + 1);
    if (value === undefined) throw new GuvError('GUV_USAGE', `${flag} needs a value`);
    if (flag === '--health-port') options.healthPort = parsePort(value);
    else options.healthHost = parseHost(value);
  }
  if (options.startArgs.length === 0 || options.startArgs[0] === '--')
    throw new GuvError('GUV_USAGE', 'run needs a script or an apps file');
  return options;
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

import { readFileSync } from 'node:fs';
import { GuvError } from '../errors.js';
import {
  DEFAULT_REMOTE_SETTINGS,
  parseRemoteSettings,
  type RemoteSettings,
} from '../remote/remote-settings.js';

/** The daemon's settings, from `<config>/guv.json`; every field optional there. */
export interface DaemonConfig {
  /** Restore the saved process list when the daemon starts. */
  autoresume: boolean;
  logs: { maxBytes: number; keep: number };
  /** Numeric gid that may also use the socket (mode 0660). */
  socketGroup: number | null;
  /** Group (name or gid) that may read the logs (folders 0750, files 0640); null: private. */
  logGroup: string | number | null;
  /** Time a start/stop request waits for the process to settle. */
  requestTimeoutMs: number;
  /** Opt-in: serve `GET /metrics` (OpenMetrics) on 127.0.0.1 at this port. */
  metricsPort: number | null;
  /**
   * Processes and clusters run under the keeper (src/keeper), which outlives the daemon, so a
   * daemon crash or upgrade re-adopts them instead of restarting them. Off: they stop with it.
   */
  keeper: boolean;
  /** Opt-in: the remote RPC over TLS (src/remote). */
  remote: RemoteSettings;
}

export const DEFAULT_DAEMON_CONFIG: DaemonConfig = {
  autoresume: true,
  logs: { maxBytes: 10 * 1024 * 1024, keep: 5 },
  socketGroup: null,
  logGroup: null,
  requestTimeoutMs: 60_000,
  metricsPort: null,
  keeper: true,
  remote: DEFAULT_REMOTE_SETTINGS,
};

// What groupadd accepts: never a leading '-' (an option to getent) nor ':' or a newline.
const GROUP_NAME = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,31}\$?$/;

/** Reads and validates the config file; a missing file means the defaults. */
export function loadDaemonConfig(path: string): DaemonConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return DEFAULT_DAEMON_CONFIG;
    throw new GuvError('GUV_CONFIG_UNREADABLE', `cannot read ${path}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new GuvError(
      'GUV_CONFIG_INVALID',
      `${path} is not valid JSON: ${(error as Error).message}`,
    );
  }
  return parseDaemonConfig(raw, path);
}

export function parseDaemonConfig(raw: unknown, source = 'config'): DaemonConfig {
  const bad = (what: string): never => {
    throw new GuvError('GUV_CONFIG_INVALID', `${source}: ${what}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad('must be a JSON object');
  const r = raw as Record<string, unknown>;
  const config = structuredClone(DEFAULT_DAEMON_CONFIG);
  if (r.autoresume !== undefined) {
    if (typeof r.autoresume !== 'boolean') bad('autoresume must be true or false');
    config.autoresume = r.autoresume as boolean;
  }
  if (r.logs !== undefined) {
    const logs = r.logs as Record<string, unknown>;
    if (typeof logs !== 'object' || logs === null) bad('logs must be an object');
    if (logs.maxBytes !== undefined) {
      if (!Number.isInteger(logs.maxBytes) || (logs.maxBytes as number) < 1024)
        bad('logs.maxBytes must be a whole number ≥ 1024');
      config.logs.maxBytes = logs.maxBytes as number;
    }
    if (logs.keep !== undefined) {
      if (!Number.isInteger(logs.keep) || (logs.keep as number) < 0)
        bad('logs.keep must be a whole number ≥ 0');
      config.logs.keep = logs.keep as number;
    }
  }
  if (r.socketGroup !== undefined && r.socketGroup !== null) {
    if (!Number.isInteger(r.socketGroup)) bad('socketGroup must be a numeric gid');
    config.socketGroup = r.socketGroup as number;
  }
  if (r.logGroup !== undefined && r.logGroup !== null) {
    const group = r.logGroup;
    const valid =
      (Number.isInteger(group) && (group as number) >= 0) ||
      (typeof group === 'string' && GROUP_NAME.test(group));
    if (!valid) bad('logGroup must be a group name or a numeric gid');
    config.logGroup = group as string | number;
  }
  if (r.requestTimeoutMs !== undefined) {
    if (!Number.isInteger(r.requestTimeoutMs) || (r.requestTimeoutMs as number) < 100)
      bad('requestTimeoutMs must be a whole number ≥ 100');
    config.requestTimeoutMs = r.requestTimeoutMs as number;
  }
  if (r.metricsPort !== undefined && r.metricsPort !== null) {
    const port = r.metricsPort as number;
    if (!Number.isInteger(port) || port < 1 || port > 65_535)
      bad('metricsPort must be a port number (1–65535)');
    config.metricsPort = port;
  }
  if (r.keeper !== undefined) {
    if (typeof r.keeper !== 'boolean') bad('keeper must be true or false');
    config.keeper = r.keeper as boolean;
  }
  config.remote = parseRemoteSettings(r.remote, bad);
  return config;
}

/** Reads a value by dotted path (`logs.maxBytes`) for `guv config <path>`. */
export function configValue(config: DaemonConfig, path: string | null): unknown {
  if (path === null || path === '') return config;
  let value: unknown = config;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) {
      throw new GuvError('GUV_CONFIG_NOT_FOUND', `no config setting "${path}"`);
    }
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

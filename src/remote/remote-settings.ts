import { isIP } from 'node:net';
import { isAbsolute } from 'node:path';

/** guv.json `remote`: the TLS RPC server. Off unless `enabled`. */
export interface RemoteSettings {
  enabled: boolean;
  /** The address to bind: loopback unless told otherwise. */
  host: string;
  /** 0 picks a free port (tests); `guv remoteconfig` tells which. */
  port: number;
  /** A certificate and key of your own (absolute paths, both or neither); else one is generated. */
  cert: string | null;
  key: string | null;
  /** Open TLS connections at once; more are refused. */
  maxConnections: number;
}

export const DEFAULT_REMOTE_SETTINGS: RemoteSettings = {
  enabled: false,
  host: '127.0.0.1',
  port: 57475,
  cert: null,
  key: null,
  maxConnections: 64,
};

/** Parses guv.json's `remote` member; `bad(what)` throws the config error. */
export function parseRemoteSettings(raw: unknown, bad: (what: string) => never): RemoteSettings {
  const settings = { ...DEFAULT_REMOTE_SETTINGS };
  if (raw === undefined || raw === null) return settings;
  if (typeof raw !== 'object' || Array.isArray(raw)) bad('remote must be an object');
  const r = raw as Record<string, unknown>;
  const known = new Set(Object.keys(DEFAULT_REMOTE_SETTINGS));
  for (const key of Object.keys(r)) if (!known.has(key)) bad(`remote.${key} is not a setting`);
  if (r.enabled !== undefined) {
    if (typeof r.enabled !== 'boolean') bad('remote.enabled must be true or false');
    settings.enabled = r.enabled as boolean;
  }
  if (r.host !== undefined) {
    if (typeof r.host !== 'string' || isIP(r.host) === 0) bad('remote.host must be an IP address');
    settings.host = r.host as string;
  }
  if (r.port !== undefined) {
    const port = r.port as number;
    if (!Number.isInteger(port) || port < 0 || port > 65_535)
      bad('remote.port must be a port number (0–65535)');
    settings.port = port;
  }
  for (const key of ['cert', 'key'] as const) {
    const value = r[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' || !isAbsolute(value))
      bad(`remote.${key} must be an absolute path`);
    settings[key] = value as string;
  }
  if ((settings.cert === null) !== (settings.key === null))
    bad('remote.cert and remote.key go together');
  if (r.maxConnections !== undefined) {
    const max = r.maxConnections as number;
    if (!Number.isInteger(max) || max < 1 || max > 10_000)
      bad('remote.maxConnections must be a whole number from 1 to 10000');
    settings.maxConnections = max;
  }
  return settings;
}

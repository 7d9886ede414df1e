import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GuvError } from '../errors.js';
import type { GuvHome } from '../protocol/home.js';
import { parseHostEntry } from '../remote/hosts-file.js';

/** A daemon on this machine, reached through the socket of its home. */
export interface LocalHostEntry {
  name: string;
  home: string;
}

/** A daemon elsewhere, reached over guv's TLS RPC (see src/remote). */
export interface RemoteHostEntry {
  name: string;
  host: string;
  port: number;
  user: string;
  secret: string;
  fingerprint: string;
}

export type HostEntry = LocalHostEntry | RemoteHostEntry;

export interface DashboardConfig {
  hosts: HostEntry[];
  /** How long a login lasts. */
  sessionTtlMs: number;
}

export interface DashboardFiles {
  /** `dashboard.json`: the hosts and session lifetime. */
  config: string;
  /** `dashboard-users.json`: users and their scrypt hashes, 0600. */
  users: string;
}

/** A config bigger than this is refused unread: it is a short list of hosts. */
const MAX_CONFIG_BYTES = 64 * 1024;
const MAX_HOSTS = 64;
const HOST_NAME = /^[A-Za-z0-9][\w.-]{0,62}$/;
const DEFAULT_TTL_MS = 12 * 60 * 60 * 1000;

export function dashboardFiles(home: GuvHome): DashboardFiles {
  return {
    config: join(home.config, 'dashboard.json'),
    users: join(home.config, 'dashboard-users.json'),
  };
}

/**
 * Reads `dashboard.json`; without one, the dashboard shows the local daemon alone, named
 * `local`. `localHome` is the home of the daemon supervising the dashboard.
 *
 * @example
 * // dashboard.json
 * { "hosts": [{ "name": "local", "home": "/var/lib/guv" },
 *             { "name": "db", "host": "10.0.0.5", "port": 7400, "user": "ops",
 *               "secret": "…", "fingerprint": "AB:CD:…" }] }
 */
export async function loadDashboardConfig(
  file: string,
  localHome: string | null,
): Promise<DashboardConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw badConfig(file, error);
    return parseDashboardConfig({}, localHome, file);
  }
  if (Buffer.byteLength(text) > MAX_CONFIG_BYTES) {
    throw badConfig(file, new Error(`it is larger than ${MAX_CONFIG_BYTES} bytes`));
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw badConfig(file, error);
  }
  return parseDashboardConfig(value, localHome, file);
}

/** Checks a parsed `dashboard.json`; throws GUV_DASHBOARD_BAD_CONFIG naming the field. */
export function parseDashboardConfig(
  value: unknown,
  localHome: string | null,
  file = 'dashboard.json',
): DashboardConfig {
  if (!isObject(value)) throw badConfig(file, new Error('expected an object'));
  const ttl = value.sessionTtlMs ?? DEFAULT_TTL_MS;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 60_000 || ttl > 30 * 86_400_000) {
    throw badConfig(file, new Error('sessionTtlMs: expected 60000 to 2592000000 ms'));
  }
  const raw = value.hosts ?? [{ name: 'local', home: localHome }];
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > MAX_HOSTS) {
    throw badConfig(file, new Error(`hosts: expected a list of 1 to ${MAX_HOSTS} hosts`));
  }
  const hosts = raw.map((entry, i) => parseHost(entry, `hosts[${i}]`, localHome, file));
  const names = new Set<string>();
  for (const host of hosts) {
    if (names.has(host.name))
      throw badConfig(file, new Error(`host "${host.name}" is listed twice`));
    names.add(host.name);
  }
  return { hosts, sessionTtlMs: ttl };
}

function parseHost(entry: unknown, at: string, localHome: string | null, file: string): HostEntry {
  if (!isObject(entry)) throw badConfig(file, new Error(`${at}: expected an object`));
  const name = entry.name;
  if (typeof name !== 'string' || !HOST_NAME.test(name)) {
    throw badConfig(file, new Error(`${at}.name: expected letters, digits, . _ - (1-63)`));
  }
  if ('host' in entry) {
    const bad = (why: string): never => {
      throw badConfig(file, new Error(why));
    };
    return { name, ...parseHostEntry(entry, at, bad) };
  }
  const home = entry.home ?? localHome;
  if (home !== null && (typeof home !== 'string' || !home.startsWith('/') || home.length > 4096)) {
    throw badConfig(file, new Error(`${at}.home: expected an absolute path`));
  }
  // null: the default home of the user the dashboard runs as.
  return { name, home: (home as string | null) ?? '' };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function badConfig(file: string, cause: unknown): GuvError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new GuvError('GUV_DASHBOARD_BAD_CONFIG', `${file}: ${why}`, { cause });
}

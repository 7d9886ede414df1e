import { lstat, readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { GuvError } from '../errors.js';
import type { RemoteOptions } from './remote-client.js';

/** The file the CLI finds `--host <name>` in: name → what `guv remoteconfig <user> --json` prints. */
export function hostsFilePath(configDir: string): string {
  return join(configDir, 'hosts.json');
}

const HOST_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const DNS_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const MAX_FILE_BYTES = 1024 * 1024;

/**
 * The connection settings of host `name` from `<config>/hosts.json`. The file holds secrets, so
 * it must be a regular file of this user that nobody else can read (as ssh insists for its keys).
 *
 * @example
 * // hosts.json: { "web1": { "host": "10.0.0.5", "port": 57475, "user": "ops", "secret": "…", "fingerprint": "AB:…" } }
 * const guv = await remote(await readHost(home.config, 'web1'));
 */
export async function readHost(configDir: string, name: string): Promise<RemoteOptions> {
  const path = hostsFilePath(configDir);
  const bad = (why: string): never => {
    throw new GuvError('GUV_HOSTS_FILE_INVALID', `${path}: ${why}`);
  };
  if (!HOST_NAME.test(name)) {
    throw new GuvError('GUV_BAD_ARGUMENT', `--host must be a name from ${path}`);
  }
  let stat: Awaited<ReturnType<typeof lstat>>;
  try {
    stat = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new GuvError('GUV_HOST_NOT_FOUND', `no host "${name}": ${path} does not exist`);
    }
    throw new GuvError('GUV_HOSTS_FILE_INVALID', `cannot read ${path}`, { cause: error });
  }
  if (!stat.isFile()) bad('not a regular file');
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) bad('belongs to another user');
  if ((stat.mode & 0o077) !== 0) bad('readable or writable by others: chmod 600 it');
  if (stat.size > MAX_FILE_BYTES) bad(`larger than ${MAX_FILE_BYTES} bytes`);
  let hosts: unknown;
  try {
    hosts = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    bad('not valid JSON');
  }
  if (typeof hosts !== 'object' || hosts === null || Array.isArray(hosts)) bad('not an object');
  if (!Object.hasOwn(hosts as object, name)) {
    throw new GuvError('GUV_HOST_NOT_FOUND', `no host "${name}" in ${path}`);
  }
  return parseHostEntry((hosts as Record<string, unknown>)[name], name, bad);
}

/** A non-empty string of at most 1 KiB. */
function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 1024;
}

/** One remote host (of the CLI's hosts file or the dashboard's config), checked field by field. */
export function parseHostEntry(
  entry: unknown,
  name: string,
  bad: (why: string) => never,
): RemoteOptions {
  const e = (entry ?? {}) as Record<string, unknown>;
  const { host, port, user, secret, fingerprint } = e;
  if (typeof host !== 'string' || (isIP(host) === 0 && !DNS_NAME.test(host)))
    bad(`${name}.host must be an IP address or a host name`);
  if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65_535)
    bad(`${name}.port must be a port number`);
  if (!isText(user)) bad(`${name}.user must be a user name`);
  if (!isText(secret)) bad(`${name}.secret must be a string`);
  if (!isText(fingerprint)) bad(`${name}.fingerprint must be a SHA-256 fingerprint`);
  return {
    host: host as string,
    port: port as number,
    user: user as string,
    secret: secret as string,
    fingerprint: fingerprint as string,
  };
}

import { execFile } from 'node:child_process';
import { readFile } from '../fs/async-fs.js';
import { GuvError } from '../errors.js';
import { type LogAccess, logAccess } from './index.js';

/**
 * Who may read the logs, from guv.json's `logGroup`: a gid is used as is, a name is looked
 * up (getent, so LDAP groups work; /etc/group without it). An unknown name is
 * GUV_CONFIG_INVALID: logs are never opened up to a group that is not there.
 *
 * @example
 * await logAccessFor('adm'); // { fileMode: 0o640, dirMode: 0o750, gid: 4 }
 */
export async function logAccessFor(group: string | number | null): Promise<LogAccess> {
  if (group === null) return logAccess(null);
  if (typeof group === 'number') return logAccess(group);
  const gid = await groupId(group);
  if (gid === null) {
    throw new GuvError('GUV_CONFIG_INVALID', `logGroup: no group called "${group}"`);
  }
  return logAccess(gid);
}

async function groupId(name: string): Promise<number | null> {
  const line = await getent(name).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
    const lines = (await readFile('/etc/group', 'utf8')).split('\n');
    return lines.find((entry) => entry.split(':')[0] === name) ?? null;
  });
  const field = line?.split(':')[2];
  return field !== undefined && /^\d{1,10}$/.test(field) ? Number(field) : null;
}

/** The group's line, or null when getent says there is none (exit status 2). */
function getent(name: string): Promise<string | null> {
  return new Promise((resolve, reject) => {
    execFile('getent', ['group', '--', name], (error, stdout) => {
      if (error && typeof error.code === 'number') return resolve(null);
      if (error) return reject(error);
      resolve(stdout.split('\n')[0] ?? null);
    });
  });
}

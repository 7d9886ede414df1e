import { resolveIdentity } from '../actors/child/identity.js';
import {
  openUserLogFileAs,
  truncateUserLogFileAs,
  type UserLogFile,
  type UserLogFileOptions,
  type WriterIdentity,
} from './user-log-writer.js';

export type { UserLogFile } from './user-log-writer.js';

/** Who writes the file: the app's account, or the daemon's own when the app runs as it. */
export interface FileOwner {
  user: string | null;
  group: string | null;
}

/** The owner's numeric ids (getent, once per file); null when the app runs as the daemon. */
async function identityOf(owner: FileOwner): Promise<WriterIdentity | null> {
  const identity = await resolveIdentity(owner.user, owner.group);
  return identity && { uid: identity.uid, gid: identity.gid };
}

/**
 * A log file the user named (`--out-file`, pm2's out_file), written as the app's user named by
 * `owner` (see openUserLogFileAs). A cluster's workers all write into the one file (pm2's
 * merge_logs).
 *
 * @example
 * const out = openUserLogFile('/srv/app/out.log', { user: 'app', group: null }, { time: true, onError });
 * out.write(Buffer.from('listening\n'));
 */
export function openUserLogFile(
  path: string,
  owner: FileOwner,
  options: UserLogFileOptions,
): UserLogFile {
  return openUserLogFileAs(path, identityOf(owner), options);
}

/** Empties a log file the user named, as the app's user (`guv flush`). */
export function truncateUserLogFile(path: string, owner: FileOwner): Promise<void> {
  return truncateUserLogFileAs(path, identityOf(owner));
}

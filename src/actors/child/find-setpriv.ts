import { accessSync, constants } from 'node:fs';

/** The absolute path of util-linux's `setpriv`, or null where there is none. */
export function findSetpriv(): string | null {
  for (const path of ['/usr/bin/setpriv', '/bin/setpriv', '/usr/sbin/setpriv']) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return null;
}

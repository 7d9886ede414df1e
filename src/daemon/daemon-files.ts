import { join } from 'node:path';
import { ensureLogFolder } from '../logs/log-file.js';
import { logAccessFor } from '../logs/log-group.js';
import { ensureHome, type GuvHome, resolveHome } from '../protocol/home.js';
import { type DaemonConfig, loadDaemonConfig } from './daemon-config.js';
import { createDaemonLog } from './daemon-log.js';

/**
 * What a daemon needs from its home before it can start, for the background daemon and
 * `guv run` alike: the home checked (nobody else may have planted it), its settings, and its own
 * log, whose folder is made with the settings' log access.
 */
export async function openDaemonFiles(env: NodeJS.ProcessEnv = process.env) {
  const home: GuvHome = resolveHome(env);
  // Before anything is read from the home: nobody else may have planted it (GUV_HOME_UNSAFE).
  ensureHome(home);
  const config: DaemonConfig = loadDaemonConfig(join(home.config, 'guv.json'));
  const logAccess = await logAccessFor(config.logGroup);
  ensureLogFolder(home.logs, logAccess);
  const log = createDaemonLog({
    path: home.daemonLog,
    maxBytes: config.logs.maxBytes,
    keep: config.logs.keep,
    access: logAccess,
  });
  return { home, config, logAccess, log };
}

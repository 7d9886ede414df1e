import { resolveIdentity } from '../actors/child/identity.js';
import type { DaemonLogger } from '../daemon/daemon-log.js';
import { GuvError } from '../errors.js';
import { type LogAccess, PRIVATE_LOGS } from '../logs/log-file.js';
import type { LogSettings } from '../logs/log-settings.js';
import type { FileOwner } from '../logs/user-log-file.js';
import type { GuvHome } from '../protocol/home.js';
import type { KeeperClient } from './client.js';
import type { LogTarget, RetireResult, UserLogFiles } from './protocol.js';
import { findKeeper, reachKeeper } from './start-keeper.js';

export interface DaemonKeeperOptions {
  home: GuvHome;
  logs: { maxBytes: number; keep: number };
  logAccess?: LogAccess;
  log: DaemonLogger;
  /**
   * Whether anyone watches log events now. The keeper writes the log files itself and sends
   * each output chunk to the daemon only while this is true (said again after each change).
   */
  outputWatched(): boolean;
}

/** A definition's log options and whose files they are (supervise.ts ownLogSettings). */
export interface OwnLogSettings {
  logs: LogSettings;
  owner: FileOwner;
}

/**
 * The user's files with the ids the keeper's writer runs as: resolved here (getent), so the
 * keeper never looks an account up. Rejects as the spawn would (GUV_USER_NOT_FOUND…).
 */
async function userFilesOf({ logs, owner }: OwnLogSettings): Promise<UserLogFiles | null> {
  if (logs.outFile === null && logs.errorFile === null) return null;
  const identity = await resolveIdentity(owner.user, owner.group);
  return {
    out: logs.outFile,
    err: logs.errorFile,
    uid: identity?.uid ?? null,
    gid: identity?.gid ?? null,
  };
}

/** How long `guv kill` gives the keeper's last children between SIGTERM and SIGKILL. */
const SHUTDOWN_KILL_MS = 5000;

/**
 * The daemon's link to its keeper (guv.json `keeper`): found at boot before any chart spawns
 * (one left running by the last daemon), started by the first spawn when there was none,
 * reached again if it drops (its children went with it: their charts restart them through the
 * new one), and stopped by `guv kill` once every process is stopped.
 *
 * @example
 * const keeper = createDaemonKeeper({ home, logs: config.logs, log });
 * await keeper.find();
 * createSupervise({ …, keeper });
 */
export function createDaemonKeeper(options: DaemonKeeperOptions) {
  const { home, log } = options;
  const access = options.logAccess ?? PRIVATE_LOGS;
  let current: KeeperClient | null = null;
  let reaching: Promise<KeeperClient> | null = null;
  let closing = false;
  /** What the current connection was last told about output; null: not told yet. */
  let toldOutputWatched: boolean | null = null;

  function syncOutputWatch(): void {
    const client = current;
    const watched = options.outputWatched();
    if (!client?.connected || toldOutputWatched === watched) return;
    toldOutputWatched = watched;
    client.watchOutput(watched).catch((error) => {
      if (current === client) toldOutputWatched = null;
      log.warn({ err: error }, 'the keeper did not take the output watch');
    });
  }

  const reachOptions = {
    socketDir: home.socketDir,
    logsDir: home.logs,
    onRetired: ({ pid, children, reason }: RetireResult & { reason: string }) =>
      log.warn(
        { keeperPid: pid, children },
        `retired the keeper (pid ${pid}) it found: ${reason}. Its ${children} ${children === 1 ? 'app was' : 'apps were'} stopped; a keeper of this daemon's version starts in its place, and the saved processes start again, once`,
      ),
  };

  /**
   * Boot: the keeper that runs already, if any (its facts are what the boot's restore
   * re-adopts). None is started here: a daemon with nothing to keep (`guv list` on a new home)
   * does without, and the first spawn starts one ({@link client}).
   */
  async function find(): Promise<KeeperClient | null> {
    const found = await findKeeper(reachOptions);
    return found ? bind(found) : null;
  }

  /** Reaches the keeper, starting one when none answers. */
  function connect(): Promise<KeeperClient> {
    reaching = reachKeeper(reachOptions)
      .then(bind)
      .finally(() => {
        reaching = null;
      });
    return reaching;
  }

  function bind(client: KeeperClient): KeeperClient {
    current = client;
    toldOutputWatched = null;
    syncOutputWatch();
    log.info(
      { pid: client.facts.pid, children: client.facts.children.length },
      'connected to the keeper',
    );
    client.onClose(() => {
      if (closing || current !== client) return;
      current = null;
      log.error('the connection to the keeper closed; reaching it again');
      void connect().catch((error) => log.error({ err: error }, 'the keeper is out of reach'));
    });
    return client;
  }

  async function shutdown(): Promise<void> {
    closing = true;
    await current?.shutdown(SHUTDOWN_KILL_MS).catch((error) => {
      log.warn({ err: error }, 'the keeper did not confirm its shutdown');
    });
    current?.close();
  }

  return {
    find,
    /** The live connection, or the one being reached (started now when there is neither). */
    client(): KeeperClient | Promise<KeeperClient> {
      if (current?.connected) return current;
      if (closing) {
        return Promise.reject(new GuvError('GUV_KEEPER_UNREACHABLE', 'the keeper is stopping'));
      }
      return reaching ?? connect();
    },
    /** Someone started or stopped watching events: tell the keeper whether output is wanted. */
    syncOutputWatch,
    /** The connection if there is one (the boot's restore asks before any chart runs). */
    current: () => current,
    /**
     * Where the keeper writes the output of the process named `name`: guv's own files, and the
     * ones its definition names (`settings`, null: the defaults), as their owner's numeric ids.
     */
    async logTarget(name: string, settings: OwnLogSettings | null): Promise<LogTarget> {
      return {
        name,
        workerIndex: null,
        cluster: false,
        maxBytes: options.logs.maxBytes,
        keep: options.logs.keep,
        fileMode: access.fileMode,
        dirMode: access.dirMode,
        gid: access.gid,
        time: settings?.logs.time ?? true,
        userFiles: settings ? await userFilesOf(settings) : null,
      };
    },
    /** `guv kill`: every process is stopped already; the keeper stops what is left, then itself. */
    shutdown,
    /** Stops the keeper if it holds no child (a daemon that failed to boot). */
    async shutdownIfEmpty(): Promise<void> {
      const facts = await current?.readFacts().catch(() => null);
      if (facts && facts.children.length === 0) await shutdown();
    },
  };
}

export type DaemonKeeper = ReturnType<typeof createDaemonKeeper>;

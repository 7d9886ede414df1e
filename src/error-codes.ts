/**
 * Every error code guv reports, in one typed registry: what happened, what the user can do, and
 * the CLI's exit status. `GuvError` accepts only these codes, docs/errors.md is generated from
 * this table (`node --import tsx scripts/docs/errors.ts`), and a test fails when a code used in
 * src is missing here or a code here is used nowhere.
 */
export interface ErrorCodeSpec {
  /** The part of guv that reports it; docs/errors.md has one section per area. */
  area: ErrorArea;
  /** What happened, in one sentence. */
  summary: string;
  /** What the user can do about it, when there is more to say than the message. */
  hint?: string;
  /** The CLI's exit status: 2 for a usage error, 1 for everything else. */
  exit: 1 | 2;
}

/** The areas in the order docs/errors.md lists them, with their section titles. */
export const ERROR_AREAS = {
  usage: 'Usage',
  processes: 'Processes',
  clusters: 'Clusters',
  accounts: 'Users and groups',
  daemon: 'The daemon and its home',
  connection: 'The connection to the daemon',
  observability: 'Logs, metrics, the web UI and heavy work',
  charts: 'Statecharts and the event bus',
  build: 'guv’s own files',
  apps: 'Apps from git',
  remote: 'Remote access',
} as const;

export type ErrorArea = keyof typeof ERROR_AREAS;

function inArea(area: ErrorArea, exit: 1 | 2 = 1) {
  return (summary: string, hint?: string): ErrorCodeSpec =>
    hint === undefined ? { area, summary, exit } : { area, summary, hint, exit };
}

const usage = inArea('usage', 2);
const processes = inArea('processes');
const clusters = inArea('clusters');
const accounts = inArea('accounts');
const daemon = inArea('daemon');
const connection = inArea('connection');
const observability = inArea('observability');
const charts = inArea('charts');
const build = inArea('build');
const apps = inArea('apps');
const remote = inArea('remote');

export const ERROR_CODES = {
  GUV_USAGE: usage(
    'A command was called with missing or extra arguments.',
    'The message shows the command’s usage; `guv --help` lists the commands.',
  ),
  GUV_BAD_ARGUMENT: usage(
    'An option or parameter has a value guv cannot use.',
    'The message names the option and what it accepts.',
  ),
  GUV_BAD_PATTERN: usage(
    'An event name or pattern is not valid.',
    'Use `:`-separated segments, each plain text or `*`: `process:*`, `*:log:error`.',
  ),

  GUV_PROCESS_NOT_FOUND: processes(
    'No process, cluster or app has that id, name or pid.',
    'See `guv list` (and `guv lsapps` for apps).',
  ),
  GUV_PROCESS_EXISTS: processes(
    'A process with that id is supervised already.',
    'Ids are chosen by guv: this points at a damaged saved process list.',
  ),
  GUV_NAME_TAKEN: processes(
    'Another process has that name already.',
    'Choose another `--name`, or act on the existing process.',
  ),
  GUV_SCRIPT_NOT_FOUND: processes(
    'The script to start does not exist.',
    'Check the path; a relative one is resolved from `--cwd` or the current folder.',
  ),
  GUV_COMMAND_NOT_FOUND: processes(
    'A command or interpreter to start is neither a file in the working folder nor on PATH.',
    'guv searches only the absolute folders of your PATH; for a root child it passes over folders and files another user owns or everyone may write. Give an absolute path, or fix PATH.',
  ),
  GUV_NO_TS_LOADER: processes(
    'A TypeScript script was to run under Node, and no TypeScript loader was found for it.',
    'Install one in the project (`npm install -D tsx`), or choose another `--interpreter`.',
  ),
  GUV_PROCESS_NOT_RUNNING: processes(
    'The command needs a running process, and this one is not running.',
    'Start it first (`guv start <name>`).',
  ),
  GUV_PROCESS_ABORTED: processes(
    'A process failed more often than its restart policy allows, and guv gave up on it.',
    'See `guv why <name>` and `guv logs <name>`; `guv start <name>` tries again.',
  ),
  GUV_PROCESS_START_TIMEOUT: processes(
    'A process did not report ready within its start timeout.',
    "Raise `--start-timeout`, or check that a `--wait-ready` app calls `process.send('ready')`.",
  ),
  GUV_TIMEOUT: processes(
    'A request (a start, a stop, a dump) did not finish within its time limit.',
    'See `guv why <name>`; it may still get there. `requestTimeoutMs` in guv.json sets the limit.',
  ),
  GUV_NO_IPC: processes(
    'The process runs without guv’s wrapper, so it cannot take live commands.',
    'Live commands (send, gc, heapdump, config) need a Node script started by guv.',
  ),
  GUV_NOT_SUPPORTED: processes(
    'The command does not apply to this kind of process.',
    'The message says what the command needs.',
  ),
  GUV_CHILD_EXITED: processes(
    'The process exited before it answered a request.',
    'See `guv why <name>` and `guv logs <name>`.',
  ),
  GUV_CHILD_NOT_READING: processes(
    'The process does not read the messages guv sends it, and too many are waiting.',
    'Its event loop is probably blocked: see `guv logs <name>`, or restart it.',
  ),
  GUV_HEAPDUMP_FAILED: processes(
    'The process could not write its heap snapshot.',
    'Check that the target folder exists and that the process’s user may write there.',
  ),
  GUV_APPS_FILE_INVALID: processes(
    'An apps file (a pm2 ecosystem file) cannot be used: bad syntax, no apps, or a bad value.',
    'The message names the app and the key; `guv validate <file>` checks a file without starting it.',
  ),
  GUV_APPS_FILE_UNREADABLE: processes(
    'An apps file could not be read or loaded (missing, too large, a format guv does not read, or its code threw).',
    'Use a .js, .cjs, .mjs or .json file of at most 1 MiB.',
  ),
  GUV_CONFIG_NOT_FOUND: processes(
    'No configuration setting has that name.',
    'See the configuration reference for the settings there are.',
  ),

  GUV_NOT_A_CLUSTER: clusters(
    'The command works on clusters only.',
    'Start the app with `-i <n>` to run it as a cluster.',
  ),
  GUV_WORKER_NOT_FOUND: clusters(
    'The cluster has no worker at that index.',
    'See `guv workers <cluster>` for its workers.',
  ),
  GUV_BUSY: clusters(
    'A cluster or app is in the middle of another operation (a reload, a resize, an install).',
    'Wait for it to finish, then try again.',
  ),
  GUV_RELOAD_FAILED: clusters(
    'A new worker stopped before it ran; the reload gave up, the old workers keep serving.',
    'See `guv why <cluster>` and the cluster’s logs.',
  ),
  GUV_RELOAD_TIMEOUT: clusters(
    'A new worker was not ready in time; the reload gave up, the old workers keep serving.',
    'See the cluster’s logs; raise `--start-timeout` for slow starts.',
  ),
  GUV_MANAGER_FAILED: clusters(
    'A cluster manager was not ready in time or exited.',
    'See `guv why <cluster>` and the cluster’s logs.',
  ),
  GUV_MANAGER_GONE: clusters(
    'A worker could not start because its cluster manager is not running.',
    'The cluster restarts its manager by itself; see `guv why <cluster>`.',
  ),

  GUV_NOT_ROOT: accounts(
    'Running as another user or group needs a daemon running as root.',
    'Run the daemon as root, or leave out `--user` / `--group`.',
  ),
  GUV_BAD_USER: accounts(
    'A user name is not a valid name.',
    'Use a plain name or a numeric id: letters, digits, `.`, `_`, `-`, not starting with `-`.',
  ),
  GUV_BAD_GROUP: accounts(
    'A group name is not a valid name.',
    'Use a plain name or a numeric id: letters, digits, `.`, `_`, `-`, not starting with `-`.',
  ),
  GUV_USER_NOT_FOUND: accounts(
    'The system has no such user, or its account entry cannot be read.',
    'Check the name with `getent passwd <user>`.',
  ),
  GUV_GROUP_NOT_FOUND: accounts(
    'The system has no such group.',
    'Check the name with `getent group <group>`.',
  ),

  GUV_DAEMON_NOT_RUNNING: daemon(
    'No daemon runs for this home.',
    'Commands that need one start it (`guv list`); `GUV_HOME` chooses the home.',
  ),
  GUV_DAEMON_RUNNING: daemon(
    'A daemon runs for this home already.',
    'Use it, or stop it with `guv kill` first.',
  ),
  GUV_SYSTEMD_UNAVAILABLE: daemon(
    '`guv startup --install` or `guv unstartup` found no running systemd to hand the unit to.',
    'Without systemd, start the daemon at boot with your init system: `guv startup` prints the command line it runs.',
  ),
  GUV_STARTUP_FAILED: daemon(
    'Writing, enabling or removing the boot unit failed.',
    'The message names the step and systemctl’s own words; `guv startup` prints the unit to install by hand.',
  ),
  GUV_DAEMON_START_FAILED: daemon(
    'The daemon could not be started.',
    'The message has its first error; the daemon log it names has the rest.',
  ),
  GUV_DAEMON_STOPPING: daemon(
    'The daemon is stopping, so it no longer takes this request.',
    'Run the command again once it stopped: the next command starts a new daemon.',
  ),
  GUV_DAEMON_OPERATION_FAILED: daemon('A daemon-wide operation (dump, restore, kill) failed.'),
  GUV_HOME_UNSAFE: daemon(
    'A folder or file of guv’s home is not safe to use: another user could change it.',
    'Make the folder the message names yours and not writable by others, or set `GUV_HOME`.',
  ),
  GUV_KEEPER_RUNNING: daemon(
    'A keeper (the process that owns the apps while daemons come and go) runs for this home already.',
    'The daemon connects to it; stop it with `guv kill`.',
  ),
  GUV_KEEPER_START_FAILED: daemon(
    'The keeper could not be started or did not answer in time.',
    'Its log, `keeper.log` in the logs folder, has the first error.',
  ),
  GUV_KEEPER_UNREACHABLE: daemon(
    'The keeper’s socket could not be connected to, or the keeper refused the daemon.',
    'Only the daemon’s user, holding the keeper’s token, may connect to it.',
  ),
  GUV_KEEPER_VERSION: daemon(
    'The keeper running for this home speaks no protocol version the daemon speaks (one of them is from another guv version).',
    'The daemon retires such a keeper by itself, restarting its apps once; if that fails, stop the keeper’s process (its pid is in `keeper.pid`, next to the daemon’s socket).',
  ),
  GUV_KEEPER_BAD_REQUEST: daemon(
    'The keeper refused a request it could not check (malformed, too large, or unknown).',
  ),
  GUV_KEEPER_SPAWN_FAILED: processes(
    'The keeper could not start the program (not found, not executable, bad user or folder).',
  ),
  GUV_KEEPER_CHILD_EXISTS: processes('The keeper already runs a child under this id.'),
  GUV_LOCK_TIMEOUT: daemon(
    'The daemon could not take its lock file in time.',
    'If no guv daemon runs for this home, remove the lock file the message names.',
  ),
  GUV_CONFIG_UNREADABLE: daemon(
    'guv’s configuration file (guv.json) could not be read.',
    'Check that it is a file the daemon’s user may read.',
  ),
  GUV_CONFIG_INVALID: daemon(
    'guv’s configuration file (guv.json) is not valid JSON or has an invalid value.',
    'The message names the setting and what it accepts.',
  ),
  GUV_STATE_CORRUPT: daemon(
    'A saved state file (the process list, the exceptions) could not be understood.',
    'The bad file is kept aside under the name the message gives; guv starts without it.',
  ),
  GUV_STATE_UNREADABLE: daemon(
    'A saved state file could not be read.',
    'Check that it is a file the daemon’s user may read.',
  ),
  GUV_STATE_WRITE_FAILED: daemon(
    'A state file could not be written.',
    'Check free space and the permissions of guv’s state folder.',
  ),
  GUV_INTERNAL: daemon(
    'Something failed inside the daemon that should not have.',
    'The daemon log has the details; please report it.',
  ),

  GUV_DAEMON_UNREACHABLE: connection(
    'The daemon’s socket exists but could not be connected to.',
    'Check that you may use the socket (`socketGroup` in guv.json), or set `GUV_HOME`.',
  ),
  GUV_DAEMON_GONE: connection(
    'The daemon went away while a request was in flight.',
    'Run the command again: the next command starts a new daemon.',
  ),
  GUV_CONNECTION_CLOSED: connection(
    'This client closed its connection to the daemon while a request was in flight.',
    'Connect again.',
  ),
  GUV_RPC_TIMEOUT: connection(
    'The daemon did not answer in time.',
    'The daemon may be busy; try again, or see the daemon log.',
  ),
  GUV_RPC_LISTENING: connection(
    'The daemon’s socket server was asked to listen twice.',
    'A bug in guv: please report it.',
  ),
  GUV_UNKNOWN_METHOD: connection(
    'The daemon has no such method.',
    'The client and the daemon may be different versions: `guv kill`, then run the command again.',
  ),
  GUV_BAD_FRAME: connection(
    'A request on the socket was not a valid frame.',
    'Only guv clients should write to the socket.',
  ),
  GUV_FRAME_TOO_LARGE: connection(
    'A request or a reply was larger than the frame limit; the connection was closed.',
    'Ask for less at once (for example fewer log lines).',
  ),
  GUV_TOO_MANY_REQUESTS: connection(
    'One connection had too many requests waiting for replies.',
    'Wait for replies before sending more.',
  ),
  GUV_TOO_MANY_SUBSCRIPTIONS: connection(
    'One connection subscribed to too many event patterns.',
    'Use one wildcard pattern instead of many names.',
  ),
  GUV_SOCKET_IN_USE: connection(
    'Something other than a socket is where the daemon’s socket goes.',
    'Remove it, or set `GUV_HOME` to another folder.',
  ),

  GUV_HEALTH_UNAVAILABLE: observability(
    '`guv run --health-port` could not listen on its address.',
    'Pick a free port, or an address of this machine with `--health-host`.',
  ),
  GUV_LOG_OPEN_FAILED: observability(
    'A log file could not be opened.',
    'Check the owner of the logs folder and free space on its disk.',
  ),
  GUV_LOG_WRITE_FAILED: observability(
    'A log file could not be written or rotated.',
    'Check free space on the logs folder’s disk.',
  ),
  GUV_METRICS_NOT_LOOPBACK: observability(
    'The metrics endpoint listens on loopback only.',
    'Use `127.0.0.1`, `::1` or `localhost`; put a proxy in front for other hosts.',
  ),
  GUV_METRICS_LISTEN_FAILED: observability(
    'The metrics endpoint could not listen on its port; the daemon runs without it.',
    'Free the port or change `metricsPort` in guv.json.',
  ),
  GUV_WEB_NOT_LOOPBACK: observability(
    'The web UI listens on loopback only.',
    'Use `127.0.0.1`, `::1` or `localhost`.',
  ),
  GUV_WEB_LISTEN_FAILED: observability(
    'The web UI could not start listening.',
    'The message has the cause; `guv ui` tries again.',
  ),
  GUV_WEB_NOT_LISTENING: observability(
    'A link to the web UI was asked for while it is not listening.',
    'Run `guv ui` again.',
  ),
  GUV_DASHBOARD_BAD_CONFIG: observability(
    "The dashboard's config (`dashboard.json`) or users file is not valid.",
    'The message names the file and the field.',
  ),
  GUV_DASHBOARD_UNKNOWN_HOST: observability('The dashboard has no host of that name.'),
  GUV_DASHBOARD_NOT_READY: observability(
    'The dashboard was started but did not answer in time.',
    'See its log: `guv logs guv-web`.',
  ),
  GUV_HEAVY_WORK_TIMEOUT: observability(
    'A heavy job (a heap summary, a log search) took too long and was stopped.',
    'Try a smaller input.',
  ),
  GUV_HEAVY_WORK_FAILED: observability('A heavy job (a heap summary, a log search) failed.'),

  GUV_BAD_EVENT_NAME: charts(
    'Code tried to publish or test an event by a pattern instead of an exact name.',
    'A bug in guv or in code using its bus directly; see docs/events.md for the names.',
  ),
  GUV_LISTENER_THREW: charts(
    'An event listener threw; the other listeners still ran.',
    'Fix the listener the error names.',
  ),
  GUV_CHART_UNAVAILABLE: charts(
    'A statechart could not be loaded for drawing.',
    'Rebuild guv (`npm run build`).',
  ),
  GUV_UNKNOWN_STATE: charts(
    'A state name is not part of the chart.',
    'See `guv graph <chart>` for its states.',
  ),
  GUV_CHART_FAILED: charts(
    'A chart stopped on an error, or ended without an outcome.',
    'A bug in guv: the daemon log has the error; please report it.',
  ),
  GUV_ACTOR_NOT_PROVIDED: charts(
    'A chart was run without one of its actors.',
    'Provide it with `machine.provide({ actors })` (see guv/testing).',
  ),
  GUV_ACTION_NOT_PROVIDED: charts(
    'A chart was run without one of its actions.',
    'Provide it with `machine.provide({ actions })` (see guv/testing).',
  ),

  GUV_PACKAGE_NOT_FOUND: build(
    'guv’s own package.json could not be found above its code.',
    'Reinstall guv.',
  ),
  GUV_NOT_BUILT: build(
    'A part of guv (daemon, child wrapper, cluster manager, heavy-work worker) is not built.',
    'Run `npm run build` in the checkout, or reinstall guv.',
  ),

  GUV_APP_NOT_FOUND: apps('No app is installed under that name.', 'See `guv lsapps`.'),
  GUV_APP_EXISTS: apps(
    'An app with that name is installed already.',
    'Choose another name, or remove the old app with `guv rmapp`.',
  ),
  GUV_APP_RUNNING: apps(
    'The app still has running processes.',
    'Stop them first (`guv stop <name>`), or remove it with `--force`.',
  ),
  GUV_APP_FAILED: apps('An install, a ref switch or a removal failed; nothing half-done was kept.'),
  GUV_APP_DIR_UNREACHABLE: apps(
    'The app’s user cannot pass through a folder above the app.',
    'Run the `chmod o+x` the message gives, or set `GUV_HOME` to a folder others can pass through.',
  ),
  GUV_BAD_APP_NAME: apps(
    'The app name is not allowed, or none could be made from the URL.',
    'Use 1-64 letters, digits, `.`, `_` or `-`, starting with a letter or digit.',
  ),
  GUV_BAD_REPO_URL: apps(
    'The repository URL is not allowed.',
    'Use an https://, ssh://, git:// or file:// URL, `user@host:path`, or a local path.',
  ),
  GUV_BAD_REF: apps(
    'The branch or tag name is not allowed.',
    'Use a plain branch or tag name (no leading `-`, no `..`).',
  ),
  GUV_REF_NOT_FOUND: apps(
    'The repository has no such branch or tag.',
    'See `guv lsrefs <app>`; `guv updaterefs <app>` fetches new ones.',
  ),
  GUV_BAD_PACKAGE_JSON: apps(
    'The app’s package.json cannot be used.',
    'The message says why: not JSON, too large, unreadable, or a `main` outside the app.',
  ),
  GUV_UNSAFE_PATH: apps(
    'An app folder is a symlink or lies outside its place in the apps folder.',
    'Move the folder the message names aside; guv only uses real folders it created.',
  ),
  GUV_APPS_ROOT_MISSING: apps(
    'The apps folder could not be read.',
    'Check that it exists and belongs to the daemon’s user.',
  ),
  GUV_REGISTRY_CORRUPT: apps(
    'The list of installed apps could not be read.',
    'Move the file the message names aside to start with no apps.',
  ),
  GUV_GIT_MISSING: apps(
    'No usable git was found.',
    'Install git, or point `LOCAL_GIT_DIRECTORY` at a git installation.',
  ),
  GUV_GIT_FAILED: apps('A git command failed.', 'The message has git’s own complaint.'),
  GUV_NPM_FAILED: apps(
    'Installing the app’s dependencies failed.',
    'The message has npm’s own complaint.',
  ),
  GUV_NPMRC_REFUSED: apps(
    'guv refuses to run npm as root in a repository with an .npmrc (it can make npm run programs).',
    'Install the app with `--user <user>`, or remove .npmrc from the repository.',
  ),

  GUV_REMOTE_AUTH_FAILED: remote(
    'The daemon refused a remote request: unknown user, wrong secret, or a request changed on the way.',
    'Check the user and secret against `guv remoteconfig <user>` on the daemon’s machine.',
  ),
  GUV_REMOTE_STALE_REQUEST: remote(
    'A remote request’s timestamp is more than 60 seconds away from the daemon’s clock.',
    'Synchronise both clocks (NTP).',
  ),
  GUV_REMOTE_REPLAYED: remote(
    'A remote request was sent again with a nonce the daemon has already seen.',
    'Every request needs a fresh nonce; the client does this unless something replays its traffic.',
  ),
  GUV_REMOTE_FORBIDDEN: remote(
    'This remote user may not call that method.',
    'Read-only users may only read; managing users is only possible on the daemon’s machine.',
  ),
  GUV_REMOTE_BUSY: remote(
    'The daemon is serving too many remote requests to remember them all; try again shortly.',
  ),
  GUV_REMOTE_FINGERPRINT_MISMATCH: remote(
    'The remote daemon’s certificate is not the one this client pins; nothing was sent.',
    'Compare with the fingerprint `guv remoteconfig` prints on the daemon’s machine.',
  ),
  GUV_REMOTE_DISABLED: remote(
    'Remote access is off on this daemon.',
    'Set `"remote": { "enabled": true }` in guv.json and restart the daemon.',
  ),
  GUV_REMOTE_CERT_FAILED: remote(
    'The certificate for remote access could not be read or created.',
    'The message names the file; check the `remote.cert` and `remote.key` paths in guv.json.',
  ),
  GUV_REMOTE_USERS_INVALID: remote(
    'The remote users file cannot be used: not JSON, not private, or not the daemon’s.',
    'Move the file the message names aside and add the users again.',
  ),
  GUV_REMOTE_USER_EXISTS: remote('A remote user with that name exists already.'),
  GUV_REMOTE_USER_NOT_FOUND: remote('No remote user has that name.', 'See `guv lsusers`.'),
  GUV_HOST_NOT_FOUND: remote(
    'The hosts file has no host by that name.',
    'Add it to hosts.json in guv’s config folder (see `guv remoteconfig --json`).',
  ),
  GUV_HOSTS_FILE_INVALID: remote(
    'The hosts file cannot be used: not JSON, a bad entry, or readable by others.',
    'The message says which; the file must be mode 0600 and belong to you.',
  ),
} as const satisfies Record<`GUV_${string}`, ErrorCodeSpec>;

/** A code guv may report. */
export type GuvErrorCode = keyof typeof ERROR_CODES;

/**
 * True for a string that names a registered code: codes arriving as strings (over the socket,
 * from a chart's serialised error) are narrowed with this, never cast.
 *
 * @example
 * const code = isGuvErrorCode(body.code) ? body.code : 'GUV_INTERNAL';
 */
export function isGuvErrorCode(code: unknown): code is GuvErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}

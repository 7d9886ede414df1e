import type { GuvEventName, GuvEvents } from './events.js';

/** What docs/events.md says about one event; its argument types are read from {@link GuvEvents}. */
export interface EventDoc<K extends GuvEventName> {
  /** The argument names, in order: as many as the event has, or this does not compile. */
  args: Names<GuvEvents[K]>;
  /** `seed`: guvnor's public API, name and arguments kept exactly; `guv`: an addition of guv's. */
  origin: 'seed' | 'guv';
  /** When it fires, in a sentence. */
  when: string;
  /** The chart transition that publishes it, or what publishes it where no chart does. */
  transition: string;
}

/** One name per element of the tuple `T`. */
type Names<T extends readonly unknown[]> = { readonly [I in keyof T]: string };

type Docs = { readonly [K in GuvEventName]: EventDoc<K> };

const PROCESS = 'process chart (machines/process/supervision-machine.ts)';
const WORKER = 'worker chart (machines/worker, the process chart in the worker: namespace)';
const CLUSTER = 'cluster chart (machines/cluster/cluster-machine.ts)';
const DAEMON = 'daemon chart (machines/daemon/daemon-machine.ts)';
const APP = 'app chart (machines/app/app-machine.ts)';

/**
 * Every bus event, documented: docs/events.md is generated from this record
 * (`npx tsx scripts/docs/events.ts`), and a test fails when the two differ. An event added to
 * {@link GuvEvents} without an entry here is a compile error.
 */
export const EVENT_DOCS: Docs = {
  'process:starting': {
    args: ['processInfo'],
    origin: 'seed',
    when: 'A process is about to be created (first start, a restart, or a start after stop).',
    transition: `${PROCESS}: entry of alive.booting.starting`,
  },
  'process:forked': {
    args: ['processInfo'],
    origin: 'seed',
    when: 'The child was spawned and has a pid; its code may still be loading.',
    transition: `${PROCESS}: alive.booting.starting → forked on CHILD.FORKED`,
  },
  'process:failed': {
    args: ['processInfo', 'error'],
    origin: 'seed',
    when: 'The child could not be spawned (or its actor crashed); no restart follows.',
    transition: `${PROCESS}: alive → failed on CHILD.SPAWN_FAILED or a child actor error`,
  },
  'process:started': {
    args: ['processInfo'],
    origin: 'seed',
    when: "The app's main module has loaded (guv's wrapper said so).",
    transition: `${PROCESS}: alive.booting.forked → started on CHILD.STARTED`,
  },
  'process:errored': {
    args: ['processInfo', 'error'],
    origin: 'seed',
    when: "The app's code threw while loading, or it did not become ready within its start timeout.",
    transition: `${PROCESS}: alive.booting → errored on CHILD.ERRORED or the start timeout`,
  },
  'process:ready': {
    args: ['processInfo'],
    origin: 'seed',
    when: 'The process is ready: the wrapper (or the app itself, with app-level readiness) said so.',
    transition: `${PROCESS}: entry of alive.running`,
  },
  'process:stopping': {
    args: ['processInfo'],
    origin: 'seed',
    when: 'The process is about to be stopped (stop, restart, reload, or daemon exit).',
    transition: `${PROCESS}: entry of alive.stopping`,
  },
  'process:uncaughtexception': {
    args: ['processInfo', 'error'],
    origin: 'seed',
    when: 'The app threw an uncaught exception; it has its own handler and lives on, or the process:fatality that follows says it will exit.',
    transition: `${PROCESS}: CHILD.UNCAUGHT, and CHILD.FATALITY before process:fatality (no state change)`,
  },
  'process:fatality': {
    args: ['processInfo'],
    origin: 'seed',
    when: 'Nothing in the app handled the uncaught exception: the process exits non-zero and its restart policy decides what follows.',
    transition: `${PROCESS}: CHILD.FATALITY in alive (no state change; process:exit follows)`,
  },
  'process:exit': {
    args: ['processInfo', 'error', 'code', 'signal'],
    origin: 'seed',
    when: 'The child exited: with `code`, or killed by `signal`; `error` is the failure that caused it, if any.',
    transition: `${PROCESS}: alive → restarting, aborted or stopped on CHILD.EXIT`,
  },
  'process:restarted': {
    args: ['processInfo'],
    origin: 'seed',
    when: 'A restarted process is ready again.',
    transition: `${PROCESS}: entry of alive.running after a restart`,
  },
  'process:aborted': {
    args: ['processInfo', 'error'],
    origin: 'seed',
    when: 'The process failed more often than its restart policy allows; nothing restarts it until it is started again.',
    transition: `${PROCESS}: entry of aborted`,
  },
  'process:config:request': {
    args: ['processInfo', 'key'],
    origin: 'seed',
    when: "The app asked guv for configuration (`process.emit('guv:config', key, callback)`).",
    transition: 'no chart: the daemon, on the wrapper message config:request (daemon/daemon.ts)',
  },
  'process:msg': {
    args: ['processInfo', 'data'],
    origin: 'guv',
    when: "The app called `process.send({ type: 'process:msg', data })` (pm2's launchBus message); `data` is at most WRAPPER_LIMITS.appMessage characters of JSON, larger ones are dropped.",
    transition: 'no chart: the daemon relays the wrapper message msg (daemon/child-messages.ts)',
  },
  'process:restarting': {
    args: ['processInfo', 'delayMs'],
    origin: 'guv',
    when: 'The process exited and its restart policy restarts it after `delayMs`.',
    transition: `${PROCESS}: entry of restarting`,
  },
  'process:stopped': {
    args: ['processInfo'],
    origin: 'guv',
    when: 'Stopped on request, or exited under a policy that does not restart it.',
    transition: `${PROCESS}: entry of stopped`,
  },
  'process:paused': {
    args: ['processInfo'],
    origin: 'guv',
    when: 'The process waits for a debugger (started with --inspect-brk).',
    transition: `${PROCESS}: entry of alive.paused`,
  },
  'process:unresponsive': {
    args: ['processInfo'],
    origin: 'guv',
    when: 'The process missed its heartbeats; a heartbeat brings it back to running.',
    transition: `${PROCESS}: alive.running → unresponsive on HEARTBEAT.MISSED`,
  },

  'cluster:starting': {
    args: ['clusterInfo'],
    origin: 'seed',
    when: 'A cluster manager is starting.',
    transition: `${CLUSTER}: entry of managed.starting`,
  },
  'cluster:ready': {
    args: ['clusterInfo'],
    origin: 'seed',
    when: 'The cluster manager runs and forks workers from now on.',
    transition: `${CLUSTER}: managed.starting → active on MANAGER.READY`,
  },
  'cluster:failed': {
    args: ['clusterInfo', 'error'],
    origin: 'seed',
    when: 'The cluster manager could not start, or died; its restart policy decides what follows.',
    transition: `${CLUSTER}: managed → down on MANAGER.FAILED`,
  },
  'cluster:online': {
    args: ['clusterInfo'],
    origin: 'seed',
    when: 'The manager and every one of its workers are ready.',
    transition: `${CLUSTER}: managed.active.health.ready → online when every worker runs`,
  },
  'cluster:stopping': {
    args: ['clusterInfo'],
    origin: 'guv',
    when: 'The cluster is being stopped with all its workers.',
    transition: `${CLUSTER}: entry of managed.stopping`,
  },
  'cluster:stopped': {
    args: ['clusterInfo'],
    origin: 'guv',
    when: 'The cluster and all its workers have stopped.',
    transition: `${CLUSTER}: entry of stopped`,
  },
  'cluster:resized': {
    args: ['clusterInfo', 'from', 'to'],
    origin: 'guv',
    when: 'The target worker count changed from `from` to `to`.',
    transition: `${CLUSTER}: RESIZE in managed.active.operation.idle, or while resting`,
  },
  'cluster:reloading': {
    args: ['clusterInfo'],
    origin: 'guv',
    when: 'A rolling reload began: each worker is replaced once its successor listens.',
    transition: `${CLUSTER}: entry of managed.active.operation.reloading`,
  },
  'cluster:reloaded': {
    args: ['clusterInfo'],
    origin: 'guv',
    when: 'Every worker was replaced.',
    transition: `${CLUSTER}: operation.reloading.next → idle when the reload queue is empty`,
  },
  'cluster:reload:failed': {
    args: ['clusterInfo', 'error'],
    origin: 'guv',
    when: 'A new worker failed or timed out during a reload; the old workers are kept.',
    transition: `${CLUSTER}: operation.reloading.waiting → idle (abandonReload)`,
  },
  'cluster:restarting': {
    args: ['clusterInfo', 'delayMs'],
    origin: 'guv',
    when: 'The manager died; a new manager (and new workers) start after `delayMs`.',
    transition: `${CLUSTER}: down → restarting once the old workers are gone`,
  },
  'cluster:aborted': {
    args: ['clusterInfo', 'error'],
    origin: 'guv',
    when: 'Given up: the manager died more often than its restart policy allows, or every worker slot aborted.',
    transition: `${CLUSTER}: entry of aborted (from down, or from managed.active when every slot aborted)`,
  },

  'worker:new': {
    args: ['clusterInfo', 'workerInfo'],
    origin: 'seed',
    when: 'A new worker was created in a slot (start, resize, replacement, reload).',
    transition: `${CLUSTER}: spawnMissingWorkers, or operation.reloading.next`,
  },
  'worker:starting': {
    args: ['clusterInfo', 'workerInfo'],
    origin: 'seed',
    when: 'A worker is about to be forked.',
    transition: `${WORKER}: entry of alive.booting.starting`,
  },
  'worker:forked': {
    args: ['clusterInfo', 'workerInfo'],
    origin: 'seed',
    when: 'The worker was forked and has a pid.',
    transition: `${WORKER}: alive.booting.starting → forked on CHILD.FORKED`,
  },
  'worker:failed': {
    args: ['clusterInfo', 'workerInfo', 'error'],
    origin: 'seed',
    when: 'The worker could not be forked.',
    transition: `${WORKER}: alive → failed`,
  },
  'worker:started': {
    args: ['clusterInfo', 'workerInfo'],
    origin: 'seed',
    when: "The worker's main module has loaded.",
    transition: `${WORKER}: alive.booting.forked → started on CHILD.STARTED`,
  },
  'worker:errored': {
    args: ['clusterInfo', 'workerInfo', 'error'],
    origin: 'seed',
    when: "The worker's code threw while loading, or it was not ready in time.",
    transition: `${WORKER}: alive.booting → errored`,
  },
  'worker:ready': {
    args: ['clusterInfo', 'workerInfo'],
    origin: 'seed',
    when: 'The worker is ready.',
    transition: `${WORKER}: entry of alive.running`,
  },
  'worker:stopping': {
    args: ['clusterInfo', 'workerInfo'],
    origin: 'seed',
    when: 'The worker is about to be stopped (stop, resize down, reload, or its manager died).',
    transition: `${WORKER}: entry of alive.stopping`,
  },
  'worker:uncaughtexception': {
    args: ['clusterInfo', 'workerInfo', 'error'],
    origin: 'seed',
    when: 'The worker threw an uncaught exception.',
    transition: `${WORKER}: CHILD.UNCAUGHT, and CHILD.FATALITY (no state change)`,
  },
  'worker:fatality': {
    args: ['clusterInfo', 'workerInfo'],
    origin: 'seed',
    when: 'Nothing in the worker handled its uncaught exception: it exits.',
    transition: `${WORKER}: CHILD.FATALITY in alive (no state change)`,
  },
  'worker:exit': {
    args: ['clusterInfo', 'workerInfo', 'code', 'signal'],
    origin: 'seed',
    when: 'The worker exited with `code`, or was killed by `signal`; every worker that ends says so, also when its manager was killed.',
    transition: `${WORKER}: alive → restarting, aborted or stopped on CHILD.EXIT`,
  },
  'worker:restarted': {
    args: ['clusterInfo', 'workerInfo'],
    origin: 'seed',
    when: 'A restarted worker is ready again.',
    transition: `${WORKER}: entry of alive.running after a restart`,
  },
  'worker:aborted': {
    args: ['clusterInfo', 'workerInfo', 'error'],
    origin: 'seed',
    when: 'The worker slot failed more often than the restart policy allows.',
    transition: `${WORKER}: entry of aborted`,
  },
  'worker:restarting': {
    args: ['clusterInfo', 'workerInfo', 'delayMs'],
    origin: 'guv',
    when: 'The worker exited and is restarted after `delayMs`.',
    transition: `${WORKER}: entry of restarting`,
  },
  'worker:stopped': {
    args: ['clusterInfo', 'workerInfo'],
    origin: 'guv',
    when: 'The worker stopped.',
    transition: `${WORKER}: entry of stopped`,
  },
  'worker:paused': {
    args: ['clusterInfo', 'workerInfo'],
    origin: 'guv',
    when: 'The worker waits for a debugger.',
    transition: `${WORKER}: entry of alive.paused`,
  },
  'worker:unresponsive': {
    args: ['clusterInfo', 'workerInfo'],
    origin: 'guv',
    when: 'The worker missed its heartbeats.',
    transition: `${WORKER}: alive.running → unresponsive on HEARTBEAT.MISSED`,
  },
  'worker:config:request': {
    args: ['clusterInfo', 'workerInfo', 'key'],
    origin: 'guv',
    when: "A worker asked for configuration (`process.emit('guv:config', key, callback)`): process:config:request of a worker.",
    transition: 'no chart: the cluster supervisor, on the wrapper message config:request',
  },
  'worker:config:response': {
    args: ['clusterInfo', 'workerInfo', 'key', 'value'],
    origin: 'guv',
    when: "The daemon answered a worker's config request: daemon:config:response to a worker.",
    transition: 'no chart: the cluster supervisor, after the answer was sent',
  },
  'worker:msg': {
    args: ['clusterInfo', 'workerInfo', 'data'],
    origin: 'guv',
    when: "A worker called `process.send({ type: 'process:msg', data })`: process:msg of a worker.",
    transition: 'no chart: the daemon relays the wrapper message msg (daemon/child-messages.ts)',
  },

  'daemon:fatality': {
    args: ['error'],
    origin: 'seed',
    when: 'The daemon crashed: an uncaught exception or unhandled rejection, or it could not stop its processes. It exits right after.',
    transition: `${DAEMON}: any state → fatality on FATAL; stoppingAll → fatality when stopping fails`,
  },
  'daemon:exit': {
    args: [],
    origin: 'seed',
    when: 'The daemon is about to shut down cleanly (`guv kill`, SIGTERM).',
    transition: `${DAEMON}: entry of exited`,
  },
  'daemon:dump': {
    args: [],
    origin: 'seed',
    when: 'The daemon wrote the process list (`guv dump`, or before exit).',
    transition: `${DAEMON}: dumping → running, dumpingBeforeExit → exited`,
  },
  'daemon:restore': {
    args: [],
    origin: 'seed',
    when: 'The daemon loaded the saved process list (`guv restore`, or at boot).',
    transition: `${DAEMON}: restoring → running`,
  },
  'daemon:config:response': {
    args: ['processInfo', 'key', 'value'],
    origin: 'seed',
    when: "The daemon answered a process's config request.",
    transition: 'no chart: the daemon, after answering config:request (daemon/daemon.ts)',
  },

  'app:installed': {
    args: ['appInfo'],
    origin: 'seed',
    when: 'An app was cloned and its dependencies installed.',
    transition: `${APP}: installingDependencies → installed`,
  },
  'app:removed': {
    args: ['appInfo'],
    origin: 'seed',
    when: 'An app and its files were removed.',
    transition: `${APP}: removing → removed`,
  },
  'app:refs:updated': {
    args: ['appInfo', 'refs'],
    origin: 'seed',
    when: 'The refs (branches and tags) of an app were fetched from its repository.',
    transition: `${APP}: updatingRefs → installed`,
  },
  'app:refs:switched': {
    args: ['appInfo', 'oldRef', 'newRef'],
    origin: 'seed',
    when: 'An app was switched from `oldRef` to `newRef`.',
    transition: `${APP}: switchingRef → installed`,
  },
  'app:failed': {
    args: ['appInfo', 'error'],
    origin: 'guv',
    when: 'An install, ref update, ref switch or removal failed; nothing half-done is kept.',
    transition: `${APP}: an operation state → failed or back to installed`,
  },

  'process:log:info': {
    args: ['processInfo', 'log'],
    origin: 'seed',
    when: "A line on the process's stdout, or `process.emit('guv:log', 'info', …)`.",
    transition: 'no chart: the output router (daemon/output-router.ts), only while watched',
  },
  'process:log:warn': {
    args: ['processInfo', 'log'],
    origin: 'seed',
    when: "`process.emit('guv:log', 'warn', …)` in the app, or a Node warning it printed.",
    transition: 'no chart: the output router, only while watched',
  },
  'process:log:error': {
    args: ['processInfo', 'log'],
    origin: 'seed',
    when: "A line on the process's stderr, or `process.emit('guv:log', 'error', …)`.",
    transition: 'no chart: the output router, only while watched',
  },
  'process:log:debug': {
    args: ['processInfo', 'log'],
    origin: 'seed',
    when: "`process.emit('guv:log', 'debug', …)` in the app.",
    transition: 'no chart: the output router, only while watched',
  },
  'cluster:log:info': {
    args: ['clusterInfo', 'log'],
    origin: 'seed',
    when: "A line on the cluster manager's stdout.",
    transition: 'no chart: the output router, only while watched',
  },
  'cluster:log:warn': {
    args: ['clusterInfo', 'log'],
    origin: 'seed',
    when: 'The cluster manager says something is wrong but it goes on: a Node warning in the manager, a worker message over its relay cap that it dropped, an error on a worker channel.',
    transition:
      "no chart: the manager's log message, through the output router, only while watched",
  },
  'cluster:log:error': {
    args: ['clusterInfo', 'log'],
    origin: 'seed',
    when: "A line on the cluster manager's stderr, or a worker chart that broke.",
    transition: `the output router; ${CLUSTER}: workerBroke on a worker chart error`,
  },
  'cluster:log:debug': {
    args: ['clusterInfo', 'log'],
    origin: 'seed',
    when: 'The cluster manager set up, forked a worker, or saw one exit.',
    transition:
      "no chart: the manager's log message, through the output router, only while watched",
  },
  'worker:log:info': {
    args: ['clusterInfo', 'workerInfo', 'log'],
    origin: 'seed',
    when: "A line on the worker's stdout, or `process.emit('guv:log', 'info', …)`.",
    transition: 'no chart: the output router, only while watched',
  },
  'worker:log:warn': {
    args: ['clusterInfo', 'workerInfo', 'log'],
    origin: 'seed',
    when: "`process.emit('guv:log', 'warn', …)` in the worker, or a Node warning.",
    transition: 'no chart: the output router, only while watched',
  },
  'worker:log:error': {
    args: ['clusterInfo', 'workerInfo', 'log'],
    origin: 'seed',
    when: "A line on the worker's stderr, or `process.emit('guv:log', 'error', …)`.",
    transition: 'no chart: the output router, only while watched',
  },
  'worker:log:debug': {
    args: ['clusterInfo', 'workerInfo', 'log'],
    origin: 'seed',
    when: "`process.emit('guv:log', 'debug', …)` in the worker.",
    transition: 'no chart: the output router, only while watched',
  },
  'daemon:log:info': {
    args: ['log'],
    origin: 'seed',
    when: 'The daemon wrote an info line to daemon.log (running, a listener opened, exited).',
    transition: 'no chart: the daemon log (daemon/published-log.ts), only while watched',
  },
  'daemon:log:warn': {
    args: ['log'],
    origin: 'seed',
    when: 'The daemon wrote a warn line to daemon.log (dropped child messages, leftovers of a daemon that died, a listener that could not open).',
    transition: 'no chart: the daemon log, only while watched',
  },
  'daemon:log:error': {
    args: ['log'],
    origin: 'seed',
    when: 'The daemon wrote an error line to daemon.log; one failure is one event.',
    transition: `the daemon log; ${DAEMON}: a failed restore or dump (→ running)`,
  },
  'daemon:log:debug': {
    args: ['log'],
    origin: 'seed',
    when: 'A daemon debug line (published while watched, whatever GUV_LOG_LEVEL writes to daemon.log).',
    transition: 'no chart: the daemon log, only while watched',
  },
};

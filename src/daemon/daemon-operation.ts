import type { Actor, SnapshotFrom } from 'xstate';
import { GuvError } from '../errors.js';
import type { daemonMachine } from '../machines/daemon/daemon-machine.js';
import { settle } from '../supervision/settle.js';

type DaemonActor = Actor<typeof daemonMachine>;
type DaemonSnapshot = SnapshotFrom<DaemonActor>;
type Operation = 'DUMP' | 'RESTORE' | 'KILL';

const WORKING: Record<Operation, string> = {
  DUMP: 'dumping',
  RESTORE: 'restoring',
  KILL: 'stoppingAll',
};

/**
 * Runs one dump, restore or kill through the daemon chart and settles with that operation's
 * own outcome: it waits (up to `timeoutMs` in all) for an operation under way to end rather
 * than read that one's result, and rejects with `GUV_DAEMON_OPERATION_FAILED` ("dump failed:
 * …") when the chart's `lastError`, cleared as this operation started, says it failed.
 *
 * @example
 * await runDaemonOperation(daemonActor, 'DUMP', 120_000); // resolves once the list is on disk
 */
export async function runDaemonOperation(
  actor: DaemonActor,
  operation: Operation,
  timeoutMs: number,
): Promise<void> {
  const name = operation.toLowerCase();
  const until = waitsWithin(actor, name, Date.now() + timeoutMs);

  if (operation === 'KILL') {
    // A kill or shutdown already under way: its outcome is this one's.
    if (actor.getSnapshot().can({ type: 'KILL' })) actor.send({ type: 'KILL' });
    const done = await until((s) => s.status === 'done');
    if (done.value === 'exited') return;
    const why = done.context.lastError?.message ?? `the daemon chart ended in ${done.value}`;
    throw new GuvError('GUV_DAEMON_OPERATION_FAILED', `kill failed: ${why}`);
  }

  // Sent only while running, checked in the same tick: never swallowed by another operation.
  while (actor.getSnapshot().value !== 'running') {
    const free = await until((s) => s.status === 'done' || s.value === 'running');
    if (free.status === 'done') {
      throw new GuvError('GUV_DAEMON_STOPPING', `cannot ${name}: the daemon is stopping`);
    }
  }
  actor.send({ type: operation });
  const ended = await until((s) => s.value !== WORKING[operation]);
  if (ended.value !== 'running') {
    throw new GuvError('GUV_DAEMON_STOPPING', `${name} interrupted: the daemon is stopping`);
  }
  const error = ended.context.lastError;
  if (error) throw new GuvError('GUV_DAEMON_OPERATION_FAILED', `${name} failed: ${error.message}`);
}

/** Waits (settle) for the first snapshot `reached` accepts, all waits sharing one deadline. */
function waitsWithin(actor: DaemonActor, name: string, deadline: number) {
  return (reached: (snapshot: DaemonSnapshot) => boolean): Promise<DaemonSnapshot> =>
    settle(actor, (snapshot) => (reached(snapshot) ? snapshot : undefined), {
      timeoutMs: Math.max(1, deadline - Date.now()),
      what: name,
      name: 'the daemon',
      where: (snapshot) => `state ${String(snapshot.value)}`,
    }).catch((error: unknown) => {
      if (error instanceof GuvError && error.code === 'GUV_CHART_FAILED') {
        throw new GuvError(
          'GUV_DAEMON_OPERATION_FAILED',
          `${name} failed: the daemon chart failed`,
          {
            cause: error.cause,
          },
        );
      }
      throw error;
    });
}

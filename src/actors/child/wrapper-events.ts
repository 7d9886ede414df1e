import type { ChildEvent } from '../../machines/process/child-protocol.js';
import type { WrapperMessage } from '../wrapper/protocol.js';

/** Wrapper messages the chart does not consume, for the daemon (logs, metrics, config, ports). */
export type ChildMessage = Extract<
  WrapperMessage,
  { type: 'log' | 'listening' | 'heartbeat' | 'config:request' | 'msg' }
>;

/** What a wrapper message means to the process chart, if anything. */
export function toChildEvent(message: WrapperMessage): ChildEvent | null {
  switch (message.type) {
    case 'started':
      return { type: 'CHILD.STARTED' };
    case 'ready':
      return { type: 'CHILD.READY' };
    case 'errored':
      return { type: 'CHILD.ERRORED', error: message.error };
    case 'uncaught':
      return message.handled
        ? { type: 'CHILD.UNCAUGHT', error: message.error }
        : { type: 'CHILD.FATALITY', error: message.error };
    case 'heartbeat':
      return Number.isFinite(message.rss) && message.rss > 0
        ? { type: 'CHILD.HEARTBEAT', rssBytes: message.rss }
        : { type: 'CHILD.HEARTBEAT' };
    default:
      return null;
  }
}

export function isChildMessage(message: WrapperMessage): message is ChildMessage {
  return (
    message.type === 'log' ||
    message.type === 'listening' ||
    message.type === 'heartbeat' ||
    message.type === 'config:request' ||
    message.type === 'msg'
  );
}

/** Node prints this on stderr when `--inspect-brk` makes the child wait for a debugger. */
export const DEBUGGER_LISTENING = 'Debugger listening';

export function waitsForDebugger(execArgv: readonly string[]): boolean {
  return execArgv.some((flag) => flag === '--inspect-brk' || flag.startsWith('--inspect-brk='));
}

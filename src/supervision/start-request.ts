import { parseStartOptions, type StartRequest } from '../protocol/start-options.js';

export type { RestartMode, RestartPolicyNumbers, StartRequest } from '../protocol/start-options.js';
export { parseInstances, parseProcessName } from '../protocol/start-options.js';

/** Parses untrusted `start` parameters (from the socket) with the one parser client and CLI use. */
export function parseStartRequest(params: unknown): StartRequest {
  return parseStartOptions(params);
}

import { hasConfigName } from '../config/detect.js';
import { GuvError } from '../errors.js';
import { parseStartOptions, type StartRequest } from '../protocol/start-options.js';

export type { RestartMode, RestartPolicyNumbers, StartRequest } from '../protocol/start-options.js';
export { parseInstances, parseProcessName } from '../protocol/start-options.js';

/**
 * Parses untrusted `start` parameters (from the socket) with the one parser client and CLI use.
 * A file named like an apps file (`ecosystem.config.js`) is refused: it is read by the CLI, as
 * its user, and never run as an app.
 */
export function parseStartRequest(params: unknown): StartRequest {
  const request = parseStartOptions(params);
  if (hasConfigName(request.target))
    throw new GuvError(
      'GUV_BAD_ARGUMENT',
      `${request.target} is an apps file, not a script: start it with 'guv start ${request.target}'`,
    );
  return request;
}

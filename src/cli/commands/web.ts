import { DEFAULT_PORT, runPasswd, runWeb } from '../../dashboard/cli.js';
import { GuvError } from '../../errors.js';
import type { CliCommand } from '../command.js';
import { withClient } from '../connect.js';

/** `guv web`: the dashboard, supervised as `guv-web`; `guv web passwd <user>`: its users. */
const web: CliCommand<{ port?: string }> = async ({ args: [action, user], options }, io) => {
  if (action !== undefined) {
    if (action !== 'passwd' || user === undefined)
      throw new GuvError('GUV_USAGE', 'usage: guv web [--port <n>] | guv web passwd <user>');
    return runPasswd(user, process.stdin, io);
  }
  const port = Number(options.port ?? DEFAULT_PORT);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new GuvError('GUV_BAD_ARGUMENT', `--port: expected 1 to 65535, got "${options.port}"`);
  return withClient(io.env, (client) => runWeb(client, { port }, io));
};

export default web;

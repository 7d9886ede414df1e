import { parseArgs } from 'node:util';
import { DEFAULT_PORT, runPasswd, runWeb } from '../../dashboard/cli.js';
import { GuvError } from '../../errors.js';
import type { CliCommand } from '../command.js';
import { withClient } from '../connect.js';

const USAGE = 'usage: guv web [--port <n>] | guv web passwd <user> (password on stdin)';

/** `guv web`: the dashboard, supervised as `guv-web`; `guv web passwd <user>`: its users. */
const web: CliCommand = async (args, io) => {
  const { values, positionals } = parseArgs({
    args,
    options: { port: { type: 'string', short: 'p' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals[0] === 'passwd') {
    const user = positionals[1];
    if (user === undefined || positionals.length > 2) throw new GuvError('GUV_USAGE', USAGE);
    return runPasswd(user, process.stdin, io);
  }
  if (positionals.length > 0) throw new GuvError('GUV_USAGE', USAGE);
  const port = Number(values.port ?? DEFAULT_PORT);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new GuvError('GUV_BAD_ARGUMENT', `--port: expected 1 to 65535, got "${values.port}"`);
  }
  return withClient(io.env, (client) => runWeb(client, { port }, io));
};

export default web;

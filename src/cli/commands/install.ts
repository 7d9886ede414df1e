import { parseArgs } from 'node:util';
import { GuvError } from '../../errors.js';
import type { CliCommand } from '../command.js';
import { withClient } from '../connect.js';

const HELP = `usage: guv install <url> [name] [options]
  clones a git repository (https, ssh, git, file:// or a local path) into the daemon's apps
  folder and installs its dependencies (npm ci with a lockfile, else npm install); git and
  npm output is shown as it comes. The name defaults to package.json's.
  -u, --user <user>   run git, npm and the app as this user (daemon must be root)
  -r, --ref <ref>     branch or tag to check out (default: the default branch)
  use 'guv install -- <url>' for a URL that starts with "-" (it will be refused)`;

/** `guv install <url> [name]`: an app from git, its output streamed to stderr. */
const install: CliCommand = async (args, io) => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      user: { type: 'string', short: 'u' },
      ref: { type: 'string', short: 'r' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  const [url, name, ...extra] = positionals;
  if (url === undefined || extra.length > 0) {
    throw new GuvError('GUV_USAGE', 'usage: guv install <url> [name] [--user u] [--ref r]');
  }
  const app = await withClient(io.env, (client) =>
    client.installApp(url, {
      ...(name !== undefined ? { name } : {}),
      ...(values.user !== undefined ? { user: values.user } : {}),
      ...(values.ref !== undefined ? { ref: values.ref } : {}),
      onOutput: (chunk) => io.stderr.write(chunk),
    }),
  );
  io.stdout.write(
    `installed ${app.name} (${app.ref ?? '-'} ${(app.commit ?? '').slice(0, 12)}) in ${app.dir}\n`,
  );
  return 0;
};

export default install;

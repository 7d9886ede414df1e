import type { CliCommand } from '../command.js';
import { withClient } from '../connect.js';

/** `guv install <url> [name]`: an app from git, its output streamed to stderr. */
const install: CliCommand<{ user?: string; ref?: string }> = async (
  { args: [url = '', name], options: values },
  io,
) => {
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

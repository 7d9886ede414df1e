import type { CliCommand } from '../command.js';
import { withClient } from '../connect.js';
import { renderTable } from '../format/table.js';

/** `guv lsapps [--json]`: installed apps with their user, URL and checked-out ref. */
const lsapps: CliCommand<{ json?: boolean }> = async ({ options: values }, io) => {
  const apps = await withClient(io.env, (client) => client.listApps());
  if (values.json) {
    io.stdout.write(`${JSON.stringify(apps, null, 2)}\n`);
    return 0;
  }
  if (apps.length === 0) {
    io.stdout.write('no apps\n');
    return 0;
  }
  const rows = apps.map((app) => [
    app.name,
    app.user ?? '-',
    app.url,
    app.ref ?? '-',
    (app.commit ?? '-').slice(0, 12),
    app.state === 'installed' ? '' : app.state,
  ]);
  io.stdout.write(`${renderTable(['name', 'user', 'url', 'ref', 'commit', ''], rows)}\n`);
  return 0;
};

export default lsapps;

import type { CliIO } from '../../cli/command.js';
import { withClient } from '../../cli/connect.js';
import { renderTable } from '../../cli/format/table.js';
import type { RemoteUserSecret } from '../../protocol/replies.js';

// The logic of the remote-access commands, once their arguments are parsed. They talk to the
// local daemon: over TLS the daemon refuses them (GUV_REMOTE_FORBIDDEN).

function printSecret(io: CliIO, user: RemoteUserSecret, verb: string): void {
  io.stdout.write(
    `${verb} ${user.name} (${user.role})\nsecret: ${user.secret}\n` +
      `'guv remoteconfig ${user.name} --json' prints what a client needs\n`,
  );
}

/** `guv useradd <name> [--read-only]` */
export async function useradd(options: { name: string; readOnly: boolean }, io: CliIO) {
  const role = options.readOnly ? 'read-only' : 'admin';
  const user = await withClient(io.env, (client) =>
    client.request('addUser', { name: options.name, role }),
  );
  printSecret(io, user, 'added');
  return 0;
}

/** `guv rmuser <name>` */
export async function rmuser(options: { name: string }, io: CliIO) {
  const user = await withClient(io.env, (client) =>
    client.request('removeUser', { name: options.name }),
  );
  io.stdout.write(`removed ${user.name} (${user.role})\n`);
  return 0;
}

/** `guv lsusers [--json]`: names and roles, never secrets. */
export async function lsusers(options: { json: boolean }, io: CliIO) {
  const users = await withClient(io.env, (client) => client.request('listUsers'));
  if (options.json) io.stdout.write(`${JSON.stringify(users, null, 2)}\n`);
  else if (users.length === 0) io.stdout.write('no remote users\n');
  else
    io.stdout.write(
      `${renderTable(
        ['name', 'role'],
        users.map((u) => [u.name, u.role]),
      )}\n`,
    );
  return 0;
}

/** `guv reset <name>`: a new secret; the old one stops working at once. */
export async function reset(options: { name: string }, io: CliIO) {
  const user = await withClient(io.env, (client) =>
    client.request('resetUser', { name: options.name }),
  );
  printSecret(io, user, 'new secret for');
  return 0;
}

/**
 * `guv remoteconfig [name] [--json]`: host, port, certificate fingerprint, and with a name that
 * user's secret. The JSON is one entry of a client's hosts.json.
 */
export async function remoteconfig(options: { name: string | null; json: boolean }, io: CliIO) {
  const access = await withClient(io.env, (client) =>
    client.request('remoteConfig', { name: options.name }),
  );
  const { listener, ...entry } = access;
  if (options.json) {
    io.stdout.write(`${JSON.stringify(entry, null, 2)}\n`);
    return 0;
  }
  const state = listener.state === 'failed' ? `failed: ${listener.error}` : listener.state;
  const lines = [
    ['listener', state],
    ['host', entry.host],
    ['port', String(entry.port)],
    ['fingerprint', entry.fingerprint],
    ...(entry.user === undefined
      ? []
      : [
          ['user', entry.user],
          ['secret', entry.secret ?? ''],
        ]),
  ];
  io.stdout.write(`${lines.map(([key, value]) => `${key}: ${value}`).join('\n')}\n`);
  return 0;
}

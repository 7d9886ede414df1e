import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ThrowawayUser } from './helpers.js';

/**
 * A folder any user can read, holding an app and the preload modules an attacker would pass
 * (`--require ./hook.js`, `--import ./hook.mjs`, `-r guvc-preload` from node_modules), and a
 * folder any user can write, where the app and the hooks leave markers named `<kind>.<pid>`.
 */
export interface ProbeApp {
  dir: string;
  /** The app: records its uid and its open descriptors, then stays up. */
  app: string;
  shared: string;
  /** `{ kind, pid, content }` of every marker left so far whose name starts with `kind.`. */
  markers(kind: string): Array<{ pid: number; content: string }>;
  /** Deletes every marker, for the next case. */
  clearMarkers(): void;
  remove(): void;
}

const APP = `
const fs = require('node:fs');
const fds = fs.readdirSync('/proc/self/fd').map((fd) => {
  let link = null;
  try { link = fs.readlinkSync('/proc/self/fd/' + fd); } catch {}
  return { fd: Number(fd), link };
});
fs.writeFileSync(SHARED + '/app.' + process.pid, JSON.stringify({ uid: process.getuid(), fds }));
setInterval(() => {}, 60_000);
`;
const HOOK_CJS = `require('node:fs').writeFileSync(SHARED + '/hook.' + process.pid, String(process.getuid()));\n`;
const HOOK_ESM = `import { writeFileSync } from 'node:fs';\nwriteFileSync(SHARED + '/hook.' + process.pid, String(process.getuid()));\n`;

export function makeProbeApp(): ProbeApp {
  const base = mkdtempSync('/tmp/guvc-');
  chmodSync(base, 0o755);
  const dir = join(base, 'app');
  const shared = join(base, 'shared');
  mkdirSync(shared);
  chmodSync(shared, 0o777);
  const withShared = (source: string) => `const SHARED = ${JSON.stringify(shared)};\n${source}`;
  const preload = join(dir, 'node_modules', 'guvc-preload');
  mkdirSync(preload, { recursive: true });
  writeFileSync(join(dir, 'app.js'), withShared(APP));
  writeFileSync(join(dir, 'hook.js'), withShared(HOOK_CJS));
  writeFileSync(join(dir, 'hook.mjs'), withShared(HOOK_ESM));
  writeFileSync(join(preload, 'package.json'), '{"name":"guvc-preload","main":"index.js"}\n');
  writeFileSync(join(preload, 'index.js'), withShared(HOOK_CJS));
  execFileSync('chmod', ['-R', 'a+rX', dir]);
  return {
    dir,
    app: join(dir, 'app.js'),
    shared,
    markers(kind) {
      return readdirSync(shared)
        .filter((name) => name.startsWith(`${kind}.`))
        .map((name) => ({
          pid: Number(name.slice(kind.length + 1)),
          content: readFileSync(join(shared, name), 'utf8'),
        }));
    },
    clearMarkers() {
      for (const name of readdirSync(shared)) rmSync(join(shared, name), { force: true });
    },
    remove() {
      rmSync(base, { recursive: true, force: true });
    },
  };
}

export interface ThrowawayGroup {
  name: string;
  gid: number;
  remove(): void;
}

/** A group `user` belongs to besides its own, so that initgroups can be told from no groups at all. */
export function addSupplementaryGroup(user: ThrowawayUser): ThrowawayGroup {
  const name = `guvxcg${Math.random().toString(36).slice(2, 8)}`;
  execFileSync('groupadd', [name]);
  execFileSync('usermod', ['-a', '-G', name, user.name]);
  const gid = Number(
    execFileSync('getent', ['group', '--', name], { encoding: 'utf8' }).split(':')[2],
  );
  let removed = false;
  return {
    name,
    gid,
    remove() {
      if (removed) return;
      removed = true;
      spawnSync('groupdel', [name]);
    },
  };
}

/** The ids, supplementary groups and capabilities of a live process, from /proc/<pid>/status. */
export function credentialsOf(pid: number): {
  uids: number[];
  gids: number[];
  groups: number[];
  /** CapPrm and CapEff, as hex masks. */
  capabilities: string[];
} {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const numbers = (field: string) =>
    (status.match(new RegExp(`^${field}:(.*)$`, 'm'))?.[1] ?? '')
      .trim()
      .split(/\s+/)
      .filter((n) => n !== '')
      .map(Number);
  return {
    uids: numbers('Uid'),
    gids: numbers('Gid'),
    groups: numbers('Groups').sort((a, b) => a - b),
    capabilities: ['CapPrm', 'CapEff'].map(
      (field) => status.match(new RegExp(`^${field}:\\s*(\\w+)$`, 'm'))?.[1] ?? '?',
    ),
  };
}

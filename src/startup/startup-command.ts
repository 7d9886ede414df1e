import { statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { CliIO } from '../cli/command.js';
import { resolveDaemonEntry } from '../client/daemon-entry.js';
import { loadDaemonConfig } from '../daemon/daemon-config.js';
import { GuvError } from '../errors.js';
import { resolveHome } from '../protocol/home.js';
import { installUnit, removeUnit } from './install.js';
import { lingerNote, planStartup, type StartupPlan } from './plan.js';
import { systemctl, systemdRunning } from './systemctl.js';
import { renderUnit } from './unit.js';

export interface StartupOptions {
  /** Write and enable the unit instead of printing it. */
  install: boolean;
  /** Install under this folder as the system root (systemctl --root), for tests and images. */
  rootDir: string | null;
}

/** This user's plan, from this process's facts. */
function currentPlan(io: CliIO): StartupPlan {
  const uid = process.getuid?.() ?? 0;
  const home = resolveHome(io.env, uid);
  return planStartup({
    uid,
    userName: userInfo().username,
    env: io.env,
    execPath: process.execPath,
    daemonEntry: resolveDaemonEntry(),
    home,
    requestTimeoutMs: loadDaemonConfig(join(home.config, 'guv.json')).requestTimeoutMs,
  });
}

function checkRootDir(rootDir: string | null): void {
  if (rootDir === null) return;
  if (!isAbsolute(rootDir) || !statSync(rootDir, { throwIfNoEntry: false })?.isDirectory())
    throw new GuvError(
      'GUV_BAD_ARGUMENT',
      `--root-dir must be an existing absolute folder, got ${rootDir}`,
    );
}

const systemd = (rootDir: string | null) => ({ rootDir, systemctl, systemdRunning });

/**
 * `guv startup`: prints the systemd unit that starts this user's daemon at boot (root: a system
 * unit; anybody else: a user unit), or with `install` writes and enables it.
 */
export async function startup(options: StartupOptions, io: CliIO): Promise<number> {
  checkRootDir(options.rootDir);
  const plan = currentPlan(io);
  const text = renderUnit(plan);
  const note = lingerNote(plan);
  const scope = plan.scope === 'user' ? '--user ' : '';
  if (!options.install) {
    io.stdout.write(text);
    io.stderr.write(
      `guv: save it as ${plan.unitPath}, then: systemctl ${scope}daemon-reload && systemctl ${scope}enable ${plan.unitName} (or run guv startup --install)\n`,
    );
    if (note) io.stderr.write(`guv: ${note}\n`);
    return 0;
  }
  const steps = await installUnit(plan, text, systemd(options.rootDir));
  for (const step of steps) io.stdout.write(`${step}\n`);
  io.stdout.write(
    `the daemon starts at boot and brings back its saved processes; to hand the running daemon over now: guv kill && systemctl ${scope}start ${plan.unitName}\n`,
  );
  if (note) io.stdout.write(`${note}\n`);
  return 0;
}

/** `guv unstartup`: disables and removes the unit `guv startup --install` wrote. */
export async function unstartup(
  options: Pick<StartupOptions, 'rootDir'>,
  io: CliIO,
): Promise<number> {
  checkRootDir(options.rootDir);
  const plan = currentPlan(io);
  const steps = await removeUnit(plan, systemd(options.rootDir));
  if (steps.length === 0) io.stdout.write(`no guv unit at ${plan.unitPath}: nothing to undo\n`);
  for (const step of steps) io.stdout.write(`${step}\n`);
  return 0;
}

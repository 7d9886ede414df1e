import { lstat, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { GuvError } from '../errors.js';
import type { StartupPlan } from './plan.js';
import type { Systemctl } from './systemctl.js';

export interface InstallOptions {
  /** Install into this folder as the system's root (systemctl --root): tests, images. */
  rootDir: string | null;
  systemctl: Systemctl;
  systemdRunning: () => boolean;
}

/** Writes the unit, reloads systemd and enables the unit; resolves to the steps done. */
export async function installUnit(
  plan: StartupPlan,
  text: string,
  options: InstallOptions,
): Promise<string[]> {
  const scope = checkScope(plan, options);
  const path = join(options.rootDir ?? '/', plan.unitPath);
  await refuseSymlink(path);
  await mkdir(dirname(path), { recursive: true, mode: 0o755 });
  const aside = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(aside, text, { mode: 0o644, flag: 'wx' });
    await rename(aside, path);
  } catch (error) {
    await rm(aside, { force: true });
    throw new GuvError('GUV_STARTUP_FAILED', `cannot write ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const steps = [`wrote ${path}`];
  if (options.rootDir === null) {
    await options.systemctl([...scope, 'daemon-reload']);
    steps.push(`systemctl ${[...scope, 'daemon-reload'].join(' ')}`);
  }
  await options.systemctl([...scope, 'enable', plan.unitName]);
  steps.push(`systemctl ${[...scope, 'enable', plan.unitName].join(' ')}`);
  return steps;
}

/** Disables and removes the unit; resolves to the steps done (none when there was no unit). */
export async function removeUnit(plan: StartupPlan, options: InstallOptions): Promise<string[]> {
  const scope = checkScope(plan, options);
  const path = join(options.rootDir ?? '/', plan.unitPath);
  const found = await lstat(path).catch(() => null);
  if (found === null) return [];
  await options.systemctl([...scope, 'disable', plan.unitName]);
  const steps = [`systemctl ${[...scope, 'disable', plan.unitName].join(' ')}`];
  await rm(path, { force: true });
  steps.push(`removed ${path}`);
  if (options.rootDir === null) {
    await options.systemctl([...scope, 'daemon-reload']);
    steps.push(`systemctl ${[...scope, 'daemon-reload'].join(' ')}`);
  }
  return steps;
}

/** systemctl's scope arguments, once it is known that there is a systemd to talk to. */
function checkScope(plan: StartupPlan, options: InstallOptions): string[] {
  if (options.rootDir !== null) {
    // systemctl --root cannot enable a user unit ("Failed to enable: Invalid argument").
    if (plan.scope === 'user')
      throw new GuvError('GUV_BAD_ARGUMENT', '--root-dir installs system units only (run as root)');
    return [`--root=${options.rootDir}`];
  }
  if (!options.systemdRunning())
    throw new GuvError(
      'GUV_SYSTEMD_UNAVAILABLE',
      "systemd is not running here (no /run/systemd/system): 'guv startup' prints the unit; start the daemon at boot with your init system instead",
    );
  return plan.scope === 'user' ? ['--user'] : [];
}

/** The unit's path is fixed, but a symlink planted there would make guv write elsewhere. */
async function refuseSymlink(path: string): Promise<void> {
  const found = await lstat(path).catch(() => null);
  if (found !== null && !found.isFile())
    throw new GuvError(
      'GUV_STARTUP_FAILED',
      `${path} exists and is not a regular file (a symlink?): remove it first`,
    );
}

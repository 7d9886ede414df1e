import { rename, rm } from '../fs/async-fs.js';
import { join } from 'node:path';
import { GuvError } from '../errors.js';
import { checkedAppDir, stagingDirFor } from './app-dir.js';
import type { AppInput } from './context.js';
import { npmInstallArgs, npmRunsAsRoot, runNpm } from './npm.js';
import { readAppPackage } from './package-json.js';
import { pathExists } from './path-exists.js';

export interface InstallResult {
  /** The npm arguments run, or null when the app has no package.json. */
  npmArgs: string[] | null;
}

/**
 * The `installDependencies` actor. Right after `cloneRepo` it installs in the staging folder
 * and only then renames it to the app's folder; if npm fails the staging folder is deleted,
 * so a failed install leaves nothing. For an installed app (after a ref switch) it installs
 * in place.
 */
export async function installDependencies(input: AppInput): Promise<InstallResult> {
  const { app, appsRoot } = input;
  const dir = await checkedAppDir(appsRoot, app);
  const staging = await stagingDirFor(appsRoot, app.name);
  if (!(await pathExists(staging))) {
    if (!(await pathExists(dir))) {
      throw new GuvError('GUV_APP_NOT_FOUND', `app "${app.name}" has not been cloned`);
    }
    return installIn(dir, input);
  }
  try {
    if (await pathExists(dir)) {
      throw new GuvError('GUV_APP_EXISTS', `app "${app.name}" is already installed in ${dir}`);
    }
    const result = await installIn(staging, input);
    await rename(staging, dir);
    return result;
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

async function installIn(cwd: string, input: AppInput): Promise<InstallResult> {
  if (!(await pathExists(join(cwd, 'package.json')))) return { npmArgs: null };
  const runAs = input.runAs ?? null;
  const pkg = await readAppPackage(cwd, { runAs });
  const plan = { lockfile: pkg.lockfile, runAs, daemonUid: process.getuid?.() ?? -1 };
  const npmArgs = npmInstallArgs(plan);
  await runNpm(npmArgs, {
    cwd,
    runAs,
    asRoot: npmRunsAsRoot(plan),
    onOutput: input.onOutput,
    signal: input.signal,
  });
  return { npmArgs };
}

/** Forget a half-done install: delete the app's staging folder, if any. */
export async function discardStaging(input: Pick<AppInput, 'app' | 'appsRoot'>): Promise<void> {
  await rm(await stagingDirFor(input.appsRoot, input.app.name), { recursive: true, force: true });
}

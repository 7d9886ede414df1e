import { rm } from '../fs/async-fs.js';
import { checkedAppDir } from './app-dir.js';
import type { AppInput } from './context.js';
import { discardStaging } from './install.js';

/**
 * The `removeFiles` actor: delete the app's folder (and any staging folder) after checking it
 * is a real folder directly under the apps root; a symlink is refused, never followed.
 */
export async function removeFiles(input: Pick<AppInput, 'app' | 'appsRoot'>): Promise<void> {
  const dir = await checkedAppDir(input.appsRoot, input.app);
  await rm(dir, { recursive: true, force: true });
  await discardStaging(input);
}

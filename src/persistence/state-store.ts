import { mkdir, readFile, rename } from '../fs/async-fs.js';
import { dirname } from 'node:path';
import { GuvError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic-file.js';

/**
 * What reading a state file found. A corrupt file is never "empty": the daemon must not take
 * it for "nothing was running" and then overwrite what the user had.
 */
export type StateReadResult<T> =
  | { kind: 'missing' }
  | { kind: 'ok'; value: T }
  | {
      kind: 'corrupt';
      /** `GUV_STATE_CORRUPT`, with the parse or validation failure as `cause`. */
      error: GuvError;
      /** Where the bad file was moved (`<name>.corrupt-<timestamp>`), or null if it could not be. */
      keptAs: string | null;
    };

/**
 * Parse one state file. `validate` turns the parsed JSON into a trusted value or throws; a
 * file that is not JSON or fails validation is renamed aside and reported as `corrupt`.
 *
 * @example
 * const read = await readState(home.processesFile, parseProcessList);
 * if (read.kind === 'corrupt') log.error({ err: read.error }, `kept as ${read.keptAs}`);
 */
export async function readState<T>(
  path: string,
  validate: (value: unknown) => T,
): Promise<StateReadResult<T>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw new GuvError('GUV_STATE_UNREADABLE', `cannot read ${path}`, { cause: error });
  }
  try {
    return { kind: 'ok', value: validate(JSON.parse(text)) };
  } catch (cause) {
    const keptAs = await keepAside(path);
    const where = keptAs ? `; kept as ${keptAs}` : '';
    const error = new GuvError('GUV_STATE_CORRUPT', `${path} is corrupt${where}`, { cause });
    return { kind: 'corrupt', error, keptAs };
  }
}

/**
 * Replace a state file atomically (pretty JSON, mode 0600), creating its folder if needed.
 * Throws `GUV_STATE_WRITE_FAILED` naming the file and the cause in one line.
 */
export async function writeState(path: string, value: unknown): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
  } catch (cause) {
    const why = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    throw new GuvError('GUV_STATE_WRITE_FAILED', `cannot write ${path}: ${why}`, { cause });
  }
}

async function keepAside(path: string): Promise<string | null> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const keptAs = `${path}.corrupt-${stamp}`;
  try {
    await rename(path, keptAs);
    return keptAs;
  } catch {
    return null;
  }
}

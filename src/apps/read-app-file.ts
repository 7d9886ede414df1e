import * as fs from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { RunAs } from '../actors/git/run-as.js';
import { runCommand } from '../actors/git/run-command.js';
import { GuvError, type GuvErrorCode } from '../errors.js';
import { realpath } from '../fs/async-fs.js';
import { pathExists } from './path-exists.js';

export interface ReadAppFileOptions {
  /** Read it as this user, in a child running as that user; null: in this process. */
  runAs: RunAs | null;
  /** A larger file is refused without being read. */
  maxBytes: number;
  /** The code of every refusal. */
  code: GuvErrorCode;
}

const MIB = 1024 * 1024;
const READ_DEADLINE_MS = 30_000;
const OPEN_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK;

/**
 * Reads `file` (a path with no symlinks) up to `max` bytes; on failure writes one reason on
 * stderr (`E2BIG <size>`, `ENOTREG` or an errno code) and exits 1. Run as the app's user.
 */
const READER = `
const fs = require('node:fs');
const file = process.argv[1];
const max = Number(process.argv[2]);
const fail = (why) => { process.stderr.write(why); process.exit(1); };
let fd;
try { fd = fs.openSync(file, ${OPEN_FLAGS}); } catch (error) { fail(error.code || 'EIO'); }
const info = fs.fstatSync(fd);
if (!info.isFile()) fail('ENOTREG');
if (info.size > max) fail('E2BIG ' + info.size);
const buffer = Buffer.alloc(max + 1);
let length = 0;
for (let n; length < buffer.length && (n = fs.readSync(fd, buffer, length, buffer.length - length, length)) > 0; ) length += n;
if (length > max) fail('E2BIG ' + length);
process.stdout.write(buffer.subarray(0, length));
`;

/**
 * The text of `<dir>/<name>`, a file of an app's checkout, which the repository (or the app's
 * user) controls: null when there is none. Refused unless it is a regular file of at most
 * `maxBytes` inside `dir` (a symlink may point within the folder, never out of it). With
 * `runAs` it is read by a child running as that user, so root never reads for it a file the
 * user could not (a hard link to a root-only file, or a symlink swapped in after the check).
 *
 * @example
 * await readAppFile(dir, 'package.json', { runAs, maxBytes: 1 << 20, code: 'GUV_BAD_PACKAGE_JSON' });
 */
export async function readAppFile(
  dir: string,
  name: string,
  options: ReadAppFileOptions,
): Promise<string | null> {
  const refuse = (why: string, cause?: unknown) =>
    new GuvError(options.code, `${name} ${why}`, { cause });
  const path = join(dir, name);
  let real: string;
  try {
    real = await realpath(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !(await pathExists(path))) return null;
    throw refuse(code === 'ENOENT' ? 'is a symlink to nothing' : `cannot be read (${code})`, error);
  }
  const inside = relative(await realpath(dir), real);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    throw refuse(OUT_OF_FOLDER);
  }
  const result = options.runAs
    ? await readAsUser(real, options.maxBytes, options.runAs)
    : await readHere(real, options.maxBytes);
  if ('failure' in result) throw refuse(describe(result.failure, options));
  return result.text;
}

const OUT_OF_FOLDER = "is a symlink out of the app's folder: guv reads only files inside it";

/** The end of the refusal for a reader's failure (`E2BIG <size>`, `ENOTREG`, an errno code). */
function describe(failure: string, options: ReadAppFileOptions): string {
  const [token, size] = failure.split(' ');
  const limit = `the ${mib(options.maxBytes)} guv reads`;
  if (token === 'E2BIG')
    return size ? `is ${size} bytes, more than ${limit}` : `is more than ${limit}`;
  if (token === 'ENOTREG') return 'is not a regular file';
  // O_NOFOLLOW met a symlink put there after the check.
  if (token === 'ELOOP') return OUT_OF_FOLDER;
  const who = options.runAs ? ` as user "${options.runAs.env.USER ?? options.runAs.uid}"` : '';
  return `cannot be read${who} (${token})`;
}

type ReadResult = { text: string } | { failure: string };

async function readHere(file: string, max: number): Promise<ReadResult> {
  let handle: fs.promises.FileHandle;
  try {
    // fs.promises loads on first use: only an install or a start reads a package.json.
    handle = await fs.promises.open(file, OPEN_FLAGS);
  } catch (error) {
    return { failure: (error as NodeJS.ErrnoException).code ?? 'EIO' };
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { failure: 'ENOTREG' };
    if (info.size > max) return { failure: `E2BIG ${info.size}` };
    const buffer = Buffer.alloc(max + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > max) return { failure: `E2BIG ${length}` };
    return { text: buffer.toString('utf8', 0, length) };
  } finally {
    await handle.close();
  }
}

async function readAsUser(file: string, max: number, runAs: RunAs): Promise<ReadResult> {
  try {
    const result = await runCommand(process.execPath, ['-e', READER, file, String(max)], {
      cwd: '/',
      env: runAs.env,
      runAs,
      // stdout is at most `max` characters (UTF-8 decodes to no more characters than bytes).
      maxOutput: max,
      signal: AbortSignal.timeout(READ_DEADLINE_MS),
    });
    if (result.overflowed) return { failure: 'E2BIG' };
    if (result.exitCode !== 0) {
      return { failure: result.stderr.trim().split('\n')[0]?.slice(0, 100) || 'EIO' };
    }
    return { text: result.stdout };
  } catch (error) {
    const timedOut = (error as Error).name === 'AbortError';
    return { failure: timedOut ? 'ETIMEDOUT' : ((error as NodeJS.ErrnoException).code ?? 'EIO') };
  }
}

/** `1 MiB`, `512 KiB`, `1000 bytes`. */
function mib(bytes: number): string {
  if (bytes % MIB === 0) return `${bytes / MIB} MiB`;
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}

import { type ChildProcess, spawn } from 'node:child_process';
import { GuvError } from '../errors.js';
import { createLineFramer, type LineFramer } from './line-framer.js';

/** Bytes queued for one file's writer process past which output is dropped (and said so once). */
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

// Runs as the app's user: opens the file as that user would (O_NOFOLLOW: a symlink planted as
// the file itself is refused even then), then appends stdin to it. argv: path, 'append'|'truncate'.
const WRITER_SOURCE = `
const fs = require('node:fs');
const [path, mode] = process.argv.slice(1);
const c = fs.constants;
const flags = (mode === 'truncate' ? c.O_TRUNC : c.O_APPEND | c.O_CREAT) | c.O_WRONLY | c.O_NOFOLLOW | c.O_NONBLOCK;
let fd;
try {
  fd = fs.openSync(path, flags, 0o640);
  if (!fs.fstatSync(fd).isFile()) throw new Error('not a regular file');
} catch (error) {
  process.stderr.write(String(error && error.message));
  process.exit(1);
}
if (mode === 'truncate') process.exit(0);
process.stdin.on('data', (chunk) => {
  let at = 0;
  while (at < chunk.length) at += fs.writeSync(fd, chunk, at);
});
process.stdin.on('end', () => process.exit(0));
`;

/**
 * The numeric account a writer process runs as: the app's. Null ids stay the caller's own (a
 * `--group` alone keeps root's uid); a null identity is the caller's account altogether.
 */
export interface WriterIdentity {
  uid: number | null;
  gid: number | null;
}

export interface UserLogFile {
  readonly path: string;
  /** Output as it came: stamped with guv's time prefix per line, or raw with `time: false`. */
  write(chunk: Buffer): void;
  /** A whole message (a wrapper log record), one line per line of it. */
  writeRecord(message: string): void;
  close(): Promise<void>;
}

export interface UserLogFileOptions {
  time: boolean;
  onError(error: GuvError): void;
  now?: () => number;
}

/** Runs the writer as `identity` once it is known (its open may still fail: see failure()). */
async function spawnWriter(
  path: string,
  identity: WriterIdentity | null | Promise<WriterIdentity | null>,
  mode: 'append' | 'truncate',
): Promise<ChildProcess> {
  const account = await identity;
  const child = spawn(process.execPath, ['-e', WRITER_SOURCE, path, mode], {
    stdio: [mode === 'append' ? 'pipe' : 'ignore', 'ignore', 'pipe'],
    env: {},
    ...(account?.uid != null ? { uid: account.uid } : {}),
    ...(account?.gid != null ? { gid: account.gid } : {}),
  });
  // A writer that died (its open failed) is reported by its exit; a write to it is dropped.
  child.stdin?.on('error', () => {});
  return child;
}

function failure(path: string, child: ChildProcess): Promise<string | null> {
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    if (stderr.length < 1000) stderr += text;
  });
  return new Promise((resolve) => {
    child.on('error', (error) => resolve(error.message));
    child.on('close', (code) =>
      resolve(code === 0 ? null : `${stderr.trim() || `exit code ${code}`} (${path})`),
    );
  });
}

/**
 * A log file the user named (`--out-file`, pm2's out_file), written by a small process running as
 * `identity` (the app's account, already resolved to ids), so neither the daemon nor the keeper
 * (often root) ever opens a path the app controls. Node built-ins only: the keeper uses it too.
 *
 * @example
 * const out = openUserLogFileAs('/srv/app/out.log', { uid: 1001, gid: 1001 }, { time: true, onError });
 * out.write(Buffer.from('listening\n'));
 */
export function openUserLogFileAs(
  path: string,
  identity: WriterIdentity | null | Promise<WriterIdentity | null>,
  options: UserLogFileOptions,
): UserLogFile {
  const framer: LineFramer | null = options.time ? createLineFramer(options.now ?? Date.now) : null;
  let dropped = false;
  let closed = false;
  const fail = (message: string) =>
    options.onError(new GuvError('GUV_LOG_OPEN_FAILED', `cannot write log file ${message}`));
  const child = spawnWriter(path, identity, 'append');
  const ended = child.then(
    (writer) => failure(path, writer).then((message) => message !== null && fail(message)),
    (error: unknown) => fail(`${path}: ${(error as Error).message}`),
  );
  const send = (bytes: Buffer) => {
    void child.then(
      (writer) => {
        const stdin = writer.stdin;
        if (!stdin || stdin.destroyed || !stdin.writable) return;
        if (stdin.writableLength > MAX_QUEUED_BYTES) {
          if (!dropped) fail(`${path}: its writer is not keeping up, output dropped`);
          dropped = true;
          return;
        }
        dropped = false;
        stdin.write(bytes);
      },
      () => {},
    );
  };
  return {
    path,
    write(chunk) {
      if (closed) return;
      const bytes = framer ? framer.frame(chunk, null) : chunk;
      if (bytes && bytes.length > 0) send(Buffer.from(bytes));
    },
    writeRecord(message) {
      if (closed) return;
      const text = `${message.split(/\r?\n/).join('\n')}\n`;
      this.write(Buffer.from(text));
    },
    async close() {
      if (closed) return;
      closed = true;
      const partial = framer?.takePartial();
      if (partial) send(Buffer.from(partial));
      await child.then(
        (writer) => writer.stdin?.end(),
        () => {},
      );
      await ended;
    },
  };
}

/** Empties a log file the user named, as `identity` (`guv flush`). */
export async function truncateUserLogFileAs(
  path: string,
  identity: WriterIdentity | null | Promise<WriterIdentity | null>,
): Promise<void> {
  const message = await failure(path, await spawnWriter(path, identity, 'truncate'));
  if (message !== null)
    throw new GuvError('GUV_LOG_WRITE_FAILED', `cannot empty log file ${message}`);
}

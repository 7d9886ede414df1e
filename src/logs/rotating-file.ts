import { closeSync, fstatSync, lstatSync, writeSync } from 'node:fs';
import { type LogAccess, PRIVATE_LOGS, openLogFile } from './log-file.js';
import { rotateFiles } from './rotate.js';

export interface RotatingFileOptions {
  /** The current file; rotated ones are `<path>.1` … `<path>.<keep>`. */
  path: string;
  /** Rotate before a write would take the file past this many bytes. */
  maxBytes: number;
  /** Rotated files kept. */
  keep: number;
  access?: LogAccess;
}

/** A size-rotated file written synchronously, one whole text at a time. */
export interface RotatingFile {
  readonly path: string;
  /** Appends `text` (rotating first when it would not fit); throws when the disk refuses. */
  write(text: string): void;
  close(): void;
}

/**
 * For the daemon's own log, where a line must be on disk before the daemon can die: each write
 * is one synchronous `write`. The size is read from the file itself, so lines appended by
 * others (the daemon's stderr, a second daemon that lost the lock) count toward the cap, and a
 * file another process has rotated already is reopened, not rotated twice.
 *
 * @example
 * const file = openRotatingFile({ path: home.daemonLog, maxBytes: 10 << 20, keep: 5 });
 * file.write('{"msg":"hello"}\n');
 */
export function openRotatingFile(options: RotatingFileOptions): RotatingFile {
  const { path, maxBytes, keep } = options;
  const access = options.access ?? PRIVATE_LOGS;
  let fd = openLogFile(path, access);

  function rotate(): void {
    const ours = fstatSync(fd).ino;
    let current: number | null = null;
    try {
      current = lstatSync(path).ino;
    } catch {}
    if (current === ours) rotateFiles(path, keep);
    const old = fd;
    fd = openLogFile(path, access);
    closeSync(old);
  }

  return {
    path,
    write(text) {
      if (fd < 0) throw new Error(`${path} is closed`);
      const bytes = Buffer.from(text);
      const size = fstatSync(fd).size;
      if (size > 0 && size + bytes.length > maxBytes) rotate();
      let at = 0;
      while (at < bytes.length) at += writeSync(fd, bytes, at);
    },
    close() {
      if (fd < 0) return;
      closeSync(fd);
      fd = -1;
    },
  };
}

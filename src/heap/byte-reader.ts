import { closeSync, openSync, readSync } from 'node:fs';

export const CHUNK_BYTES = 1 << 20;

/**
 * Reads a file front to back through one fixed buffer, synchronously: meant for a worker thread,
 * where blocking is fine and memory stays at one chunk however big the file is. The parsers
 * work on `buffer[position..end)` directly and call `fill()` when they reach `end`.
 */
export class ByteReader {
  readonly buffer: Buffer;
  position = 0;
  end = 0;
  /** Bytes consumed before the current chunk. */
  offset = 0;
  private readonly fd: number;
  private done = false;

  constructor(path: string, chunkBytes = CHUNK_BYTES) {
    this.fd = openSync(path, 'r');
    this.buffer = Buffer.allocUnsafe(chunkBytes);
  }

  /** Loads the next chunk; false at the end of the file. */
  fill(): boolean {
    if (this.done) return false;
    this.offset += this.end;
    this.end = readSync(this.fd, this.buffer, 0, this.buffer.length, null);
    this.position = 0;
    if (this.end === 0) this.done = true;
    return !this.done;
  }

  /** The next byte without consuming it, or -1 at the end. */
  peek(): number {
    if (this.position >= this.end && !this.fill()) return -1;
    return this.buffer[this.position]!;
  }

  /** The next byte, or -1 at the end. */
  next(): number {
    if (this.position >= this.end && !this.fill()) return -1;
    return this.buffer[this.position++]!;
  }

  close(): void {
    closeSync(this.fd);
  }
}

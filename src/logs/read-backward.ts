import * as fs from 'node:fs';

const NEWLINE = 0x0a;

/**
 * The lines of a file from last to first, reading fixed blocks from the end, so the last few
 * lines of a large file cost a block or two. A missing file has no lines.
 */
export async function* linesFromEnd(path: string, blockSize = 64 * 1024): AsyncGenerator<string> {
  const file = await fs.promises.open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (!file) return;
  try {
    let position = (await file.stat()).size;
    let carry = Buffer.alloc(0);
    while (position > 0) {
      const length = Math.min(blockSize, position);
      position -= length;
      const block = Buffer.allocUnsafe(length);
      const { bytesRead } = await file.read(block, 0, length, position);
      const buffer =
        carry.length > 0 ? Buffer.concat([block.subarray(0, bytesRead), carry]) : block;
      let end = buffer.length;
      for (
        let nl = buffer.lastIndexOf(NEWLINE, end - 1);
        nl !== -1;
        nl = buffer.lastIndexOf(NEWLINE, end - 1)
      ) {
        if (nl + 1 < end) yield buffer.toString('utf8', nl + 1, end);
        end = nl;
        if (end === 0) break;
      }
      carry = buffer.subarray(0, end);
    }
    if (carry.length > 0) yield carry.toString('utf8');
  } finally {
    await file.close();
  }
}

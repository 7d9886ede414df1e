const NEWLINE = 0x0a;

/** A step of appending stamped lines to a size-capped file: write bytes, or rotate first. */
export type AppendStep = Buffer | 'rotate';

/**
 * Plans how to append `lines` (whole lines, ending in a newline) to a file already `size` bytes
 * long without letting it grow past `maxBytes`: cut only between lines, rotate when the next line
 * does not fit, and write a line longer than `maxBytes` whole into a file of its own.
 * Returns the steps and the file's size after them.
 */
export function planAppend(
  lines: Buffer,
  size: number,
  maxBytes: number,
): { steps: AppendStep[]; size: number } {
  const steps: AppendStep[] = [];
  let rest = lines;
  while (rest.length > 0) {
    const room = maxBytes - size;
    if (rest.length <= room) {
      steps.push(rest);
      size += rest.length;
      break;
    }
    let cut = room > 0 ? rest.lastIndexOf(NEWLINE, room - 1) : -1;
    if (cut === -1) {
      if (size > 0) {
        steps.push('rotate');
        size = 0;
        continue;
      }
      cut = rest.indexOf(NEWLINE);
      if (cut === -1) cut = rest.length - 1;
    }
    steps.push(rest.subarray(0, cut + 1));
    size += cut + 1;
    rest = rest.subarray(cut + 1);
  }
  return { steps, size };
}

/**
 * Descriptors a process inherited from whoever started it (`exec 30</root-only-file` in a root
 * shell that runs the first `guv` command) would otherwise pass on to every app, whatever user
 * it runs as. Node's own descriptors are all close-on-exec; an inherited one usually is not.
 *
 * Only node:fs: the CLI's cold path imports this.
 */
import { closeSync, readdirSync, readFileSync } from 'node:fs';

const O_CLOEXEC = 0o2000000;

/** True when a /proc/<pid>/fdinfo/<fd> text has O_CLOEXEC in its octal `flags:` line. */
export function isCloseOnExec(fdinfo: string): boolean {
  const flags = /^flags:\s*([0-7]+)$/m.exec(fdinfo)?.[1];
  return flags !== undefined && (Number.parseInt(flags, 8) & O_CLOEXEC) !== 0;
}

/** This process's descriptors above stdio that an exec would pass on (none where /proc is missing). */
export function inheritableDescriptors(): number[] {
  let names: string[];
  try {
    names = readdirSync('/proc/self/fd');
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const name of names) {
    const fd = Number(name);
    if (!Number.isInteger(fd) || fd <= 2) continue;
    try {
      if (!isCloseOnExec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))) found.push(fd);
    } catch {
      // The listing's own descriptor, closed already.
    }
  }
  return found.sort((a, b) => a - b);
}

/**
 * The daemon's first step: closes every descriptor above stdio it inherited, so its children get
 * only their stdio and their IPC channel. Returns the descriptors it closed.
 */
export function closeInheritedDescriptors(): number[] {
  const closed: number[] = [];
  for (const fd of inheritableDescriptors()) {
    try {
      closeSync(fd);
      closed.push(fd);
    } catch {
      // Gone already.
    }
  }
  return closed;
}

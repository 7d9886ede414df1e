import { closeSync, openSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';

/**
 * 32 random bytes from the kernel, as hex. Not node:crypto, which costs a process that stays up
 * for months ~2 MiB of resident memory for one call.
 */
export function randomToken(): string {
  const bytes = Buffer.alloc(32);
  const fd = openSync('/dev/urandom', 'r');
  try {
    let at = 0;
    while (at < bytes.length) at += readSync(fd, bytes, at, bytes.length - at, null);
  } finally {
    closeSync(fd);
  }
  return bytes.toString('hex');
}

/** Writes `token` to `path`, readable by its owner only, replacing any file there at once. */
export function writeTokenFile(path: string, token: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  rmSync(temporary, { force: true });
  writeFileSync(temporary, `${token}\n`, { mode: 0o600, flag: 'wx' });
  renameSync(temporary, path);
}

/** Compares in time independent of where the texts differ. */
export function sameToken(a: string, b: string): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length; i++)
    difference |= a.charCodeAt(i) ^ b.charCodeAt(i % b.length || 0);
  return difference === 0 && b.length > 0;
}

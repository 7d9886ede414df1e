import { wasmStamper } from './wasm/wasm-stamper.js';

/**
 * Bytes of the scratch buffer where WebAssembly is missing: a 64 KiB read of short lines frames
 * to about 200 KiB. With WebAssembly the scratch is the line stamper's own output memory.
 */
export const SCRATCH_BYTES = 256 * 1024;

let scratch: Buffer | null = null;
let lent = false;

/**
 * The one scratch buffer output is framed into, shared by every log writer of the process (so
 * a daemon with many processes holds 256 KiB, not 256 KiB each); null while another writer holds
 * it. The borrower gives it back with {@link returnScratch} once those bytes are written.
 */
export function borrowScratch(): Buffer | null {
  if (lent) return null;
  lent = true;
  scratch ??= wasmStamper()?.output ?? Buffer.allocUnsafeSlow(SCRATCH_BYTES);
  return scratch;
}

export function returnScratch(): void {
  lent = false;
}

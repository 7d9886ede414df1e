import { TIME_PREFIX_LENGTH } from '../format.js';
import { STAMP_LINES_WASM } from './wasm-bytes.js';

// The module's 2 MiB memory (it never grows, so views of it stay valid):
// [0, 32) the prefix · [64, 64 + 64 KiB + 16) the input · then the output, up to 16 bytes short
// of the end. 64 KiB is what one pipe read brings; a 64 KiB input of empty lines frames to 26×.
const PREFIX_AT = 0;
const INPUT_AT = 64;
const SLACK = 16;
export const WASM_INPUT_MAX = 64 * 1024;
const OUTPUT_AT = INPUT_AT + WASM_INPUT_MAX + 64;

export interface WasmStamper {
  /** Where lines are framed to: lent as the shared scratch buffer (see scratch.ts). */
  readonly output: Buffer;
  /** Whether `bodyBytes` of input framed after `headBytes` already in `output` surely fit. */
  fits(headBytes: number, bodyBytes: number): boolean;
  /**
   * Frames the lines of `source[start, end)` (which ends with a newline) into `output` from
   * `at`, each after `prefix` (25 bytes); returns where they end in `output`.
   */
  stamp(source: Buffer, start: number, end: number, prefix: Buffer, at: number): number;
}

/** The little of the WebAssembly API used here (Node's types do not declare it). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}

let stamper: WasmStamper | null | undefined;

/** The WebAssembly line stamper, compiled on first use; null where WebAssembly SIMD is missing. */
export function wasmStamper(): WasmStamper | null {
  if (stamper === undefined) stamper = instantiate();
  return stamper;
}

function instantiate(): WasmStamper | null {
  let exports: Record<string, unknown>;
  try {
    const wasm = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
    exports = new wasm.Instance(new wasm.Module(Buffer.from(STAMP_LINES_WASM, 'base64'))).exports;
  } catch {
    return null; // the JavaScript loops in stamp-lines.ts do the same work
  }
  const memory = exports.memory as { buffer: ArrayBuffer };
  const run = exports.stamp as (in_: number, end: number, out: number, prefix: number) => number;
  const bytes = Buffer.from(memory.buffer);
  const output = bytes.subarray(OUTPUT_AT, bytes.length - SLACK);
  return {
    output,
    fits(headBytes, bodyBytes) {
      return (
        bodyBytes <= WASM_INPUT_MAX &&
        headBytes + bodyBytes * (TIME_PREFIX_LENGTH + 1) <= output.length
      );
    },
    stamp(source, start, end, prefix, at) {
      if (prefix.length !== TIME_PREFIX_LENGTH || !this.fits(at, end - start)) {
        throw new RangeError('wasm stamp: the input does not fit (check fits() first)');
      }
      prefix.copy(bytes, PREFIX_AT);
      source.copy(bytes, INPUT_AT, start, end);
      return run(INPUT_AT, INPUT_AT + end - start, OUTPUT_AT + at, PREFIX_AT) - OUTPUT_AT;
    },
  };
}

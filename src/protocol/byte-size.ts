import { GuvError } from '../errors.js';

const UNIT_BYTES: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };
const MIN_BYTES = 1024 ** 2;
const MAX_BYTES = 1024 ** 4;

/**
 * A memory size: bytes as a number, or text with a K, M or G suffix (powers of 1024, as pm2's
 * max_memory_restart). From 1M to 1024G; throws GUV_BAD_ARGUMENT naming `field` otherwise.
 *
 * @example
 * parseByteSize('300M', '--max-memory-restart'); // 314572800
 */
export function parseByteSize(value: unknown, field: string): number | null {
  if (value === undefined || value === null) return null;
  let bytes: unknown = value;
  if (typeof value === 'string') {
    const match = /^(\d{1,13})([KMG])?B?$/i.exec(value.trim());
    bytes = match ? Number(match[1]) * UNIT_BYTES[(match[2] ?? '').toUpperCase()]! : Number.NaN;
  }
  if (
    typeof bytes !== 'number' ||
    !Number.isInteger(bytes) ||
    bytes < MIN_BYTES ||
    bytes > MAX_BYTES
  )
    throw new GuvError(
      'GUV_BAD_ARGUMENT',
      `${field} must be a memory size from 1M to 1024G (bytes, or 512K, 300M, 1G), got ${JSON.stringify(value)}`,
    );
  return bytes;
}

/** `314572800` → `300 MiB`, for messages. */
export function formatMiB(bytes: number): string {
  return `${Math.round(bytes / 1024 ** 2)} MiB`;
}

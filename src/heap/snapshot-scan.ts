import { getHeapStatistics } from 'node:v8';
import { ByteReader } from './byte-reader.js';

/** One row of a heap summary: every object built by one constructor (or of one internal kind). */
export interface HeapConstructorSummary {
  /** `Leaky`, or `(string)`, `(closure)`, `(array)`, `(compiled code)`, `(system)`… as DevTools names them. */
  constructor: string;
  count: number;
  /** Bytes held by the objects themselves (not what they keep alive). */
  selfSize: number;
}

export interface HeapScan {
  constructors: HeapConstructorSummary[];
  nodeCount: number;
  totalSelfSize: number;
  fileBytes: number;
  /** The scanning thread's peak V8 heap while it ran. */
  peakHeapBytes: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

interface Meta {
  fieldCount: number;
  typeField: number;
  nameField: number;
  sizeField: number;
  types: string[];
}

/**
 * The top constructors of a V8 `.heapsnapshot` by self size. Blocking; run it in the heavy-work
 * pool (see `createHeavyWorkPool`), never on the daemon's thread.
 *
 * @example
 * summariseHeapSnapshot('/tmp/app.heapsnapshot', { top: 5 });
 * // [{ constructor: 'Leaky', count: 100000, selfSize: 3200000 }, …]
 */
export function summariseHeapSnapshot(
  path: string,
  options: { top?: number } = {},
): HeapConstructorSummary[] {
  return scanHeapSnapshot(path).constructors.slice(0, options.top ?? 20);
}

/**
 * Streams a snapshot once: the small `snapshot.meta` header is parsed as JSON, the `nodes` array
 * is folded into counts per (type, name) as it is read, every other big array is skipped, and
 * only the names actually used are kept from `strings`. Memory stays at one read chunk plus one
 * entry per distinct class, whatever the file size; V8 writes `strings` after `nodes`.
 */
export function scanHeapSnapshot(path: string): HeapScan {
  const reader = new ByteReader(path);
  let peakHeapBytes = getHeapStatistics().used_heap_size;
  const notePeak = () => {
    peakHeapBytes = Math.max(peakHeapBytes, getHeapStatistics().used_heap_size);
  };
  try {
    let meta: Meta | null = null;
    let groups: Map<number, { count: number; selfSize: number }> | null = null;
    let names: Map<number, string> | null = null;
    let nodeCount = 0;
    expect(reader, OPEN_BRACE);
    for (;;) {
      const first = skipSpace(reader);
      if (first === CLOSE_BRACE) break;
      if (first === COMMA) {
        reader.position++;
        continue;
      }
      const key = readString(reader, true)!;
      expect(reader, COLON);
      skipSpace(reader);
      if (key === 'snapshot') meta = parseMeta(JSON.parse(captureValue(reader)));
      else if (key === 'nodes') {
        if (!meta) throw new Error('"nodes" comes before "snapshot" in this heap snapshot');
        const folded = foldNodes(reader, meta, notePeak);
        groups = folded.groups;
        nodeCount = folded.nodeCount;
      } else if (key === 'strings') {
        names = readStrings(reader, groups ? new Set(groups.keys()) : null);
      } else skipValue(reader, notePeak);
      notePeak();
    }
    if (!meta || !groups || !names)
      throw new Error('not a V8 heap snapshot (snapshot, nodes or strings missing)');
    const constructors: HeapConstructorSummary[] = [];
    let totalSelfSize = 0;
    for (const [key, group] of groups) {
      const label =
        key >= 0 ? (names.get(key) ?? '(unknown)') : kindName(meta.types[-key - 1] ?? 'unknown');
      constructors.push({ constructor: label, count: group.count, selfSize: group.selfSize });
      totalSelfSize += group.selfSize;
    }
    constructors.sort((a, b) => b.selfSize - a.selfSize || b.count - a.count);
    notePeak();
    return {
      constructors,
      nodeCount,
      totalSelfSize,
      fileBytes: reader.offset + reader.end,
      peakHeapBytes,
    };
  } finally {
    reader.close();
  }
}

function parseMeta(snapshot: unknown): Meta {
  const meta = (snapshot as { meta?: { node_fields?: unknown; node_types?: unknown } }).meta;
  const fields = meta?.node_fields;
  const types = Array.isArray(meta?.node_types) ? meta.node_types[0] : undefined;
  if (!Array.isArray(fields) || !Array.isArray(types))
    throw new Error('heap snapshot meta lacks node_fields or node_types');
  const at = (name: string) => {
    const index = fields.indexOf(name);
    if (index < 0) throw new Error(`heap snapshot nodes lack the "${name}" field`);
    return index;
  };
  return {
    fieldCount: fields.length,
    typeField: at('type'),
    nameField: at('name'),
    sizeField: at('self_size'),
    types: types.map(String),
  };
}

// Objects and native objects are grouped by their name (the constructor); everything else by
// its kind, as DevTools' summary view does. Kinds get negative keys so they never meet names.
function groupKey(meta: Meta, type: number, name: number): number {
  const kind = meta.types[type];
  return kind === 'object' || kind === 'native' ? name : -(type + 1);
}

function kindName(kind: string): string {
  if (kind === 'hidden') return '(system)';
  if (kind === 'code') return '(compiled code)';
  return `(${kind})`;
}

function foldNodes(reader: ByteReader, meta: Meta, notePeak: () => void) {
  expect(reader, OPEN_BRACKET);
  const groups = new Map<number, { count: number; selfSize: number }>();
  const { fieldCount, typeField, nameField, sizeField } = meta;
  let field = 0;
  let type = 0;
  let name = 0;
  let size = 0;
  let value = 0;
  let inNumber = false;
  let nodeCount = 0;
  for (;;) {
    if (reader.position >= reader.end) {
      if (!reader.fill()) throw new Error('heap snapshot ends inside "nodes"');
      notePeak();
    }
    const { buffer, end } = reader;
    let i = reader.position;
    let closed = false;
    for (; i < end; i++) {
      const byte = buffer[i]!;
      if (byte >= 0x30 && byte <= 0x39) {
        value = value * 10 + (byte - 0x30);
        inNumber = true;
        continue;
      }
      if (inNumber) {
        if (field === typeField) type = value;
        else if (field === nameField) name = value;
        else if (field === sizeField) size = value;
        if (++field === fieldCount) {
          const key = groupKey(meta, type, name);
          const group = groups.get(key);
          if (group) {
            group.count++;
            group.selfSize += size;
          } else groups.set(key, { count: 1, selfSize: size });
          nodeCount++;
          field = 0;
        }
        value = 0;
        inNumber = false;
      }
      if (byte === CLOSE_BRACKET) {
        closed = true;
        i++;
        break;
      }
      if (byte !== COMMA && byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) {
        throw new Error(`unexpected ${String.fromCharCode(byte)} in heap snapshot "nodes"`);
      }
    }
    reader.position = i;
    if (closed) break;
  }
  if (field !== 0) throw new Error('heap snapshot "nodes" length is not a multiple of node_fields');
  return { groups, nodeCount };
}

/** Reads the `strings` array, keeping only the indexes in `wanted` (all of them when null). */
function readStrings(reader: ByteReader, wanted: Set<number> | null): Map<number, string> {
  expect(reader, OPEN_BRACKET);
  const strings = new Map<number, string>();
  let index = 0;
  for (;;) {
    const byte = skipSpace(reader);
    if (byte === CLOSE_BRACKET) {
      reader.position++;
      return strings;
    }
    if (byte === COMMA) {
      reader.position++;
      continue;
    }
    const text = readString(reader, wanted === null || wanted.has(index));
    if (text !== null) strings.set(index, text);
    index++;
  }
}

/** Reads a JSON string at the reader; returns it decoded when `keep`, else skips it and returns null. */
function readString(reader: ByteReader, keep: boolean): string | null {
  expect(reader, QUOTE);
  const parts: Buffer[] = [];
  let escaped = false;
  for (;;) {
    if (reader.position >= reader.end && !reader.fill())
      throw new Error('heap snapshot ends inside a string');
    const { buffer, end } = reader;
    const start = reader.position;
    let i = start;
    let closed = false;
    for (; i < end; i++) {
      const byte = buffer[i]!;
      if (escaped) escaped = false;
      else if (byte === BACKSLASH) escaped = true;
      else if (byte === QUOTE) {
        closed = true;
        break;
      }
    }
    if (keep) parts.push(Buffer.from(buffer.subarray(start, i)));
    reader.position = closed ? i + 1 : i;
    if (closed) break;
  }
  return keep ? (JSON.parse(`"${Buffer.concat(parts).toString('utf8')}"`) as string) : null;
}

/** The raw text of the value at the reader (used for the small `snapshot` header only). */
function captureValue(reader: ByteReader): string {
  const parts: Buffer[] = [];
  walkValue(reader, (buffer, start, end) => parts.push(Buffer.from(buffer.subarray(start, end))));
  return Buffer.concat(parts).toString('utf8');
}

function skipValue(reader: ByteReader, notePeak: () => void): void {
  walkValue(reader, notePeak);
}

/** Moves past one JSON value (any size), reporting each stretch of bytes it passes over. */
function walkValue(
  reader: ByteReader,
  onStretch: (buffer: Buffer, start: number, end: number) => void,
): void {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let started = false;
  for (;;) {
    if (reader.position >= reader.end && !reader.fill()) {
      if (started && depth === 0 && !inString) return;
      throw new Error('heap snapshot ends inside a value');
    }
    const { buffer, end } = reader;
    const start = reader.position;
    let i = start;
    let done = false;
    for (; i < end; i++) {
      const byte = buffer[i]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (byte === BACKSLASH) escaped = true;
        else if (byte === QUOTE) {
          inString = false;
          if (depth === 0) {
            i++;
            done = true;
            break;
          }
        }
        continue;
      }
      if (byte === QUOTE) {
        inString = true;
        started = true;
      } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
        depth++;
        started = true;
      } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        if (depth === 0) {
          done = true;
          break;
        }
        if (--depth === 0) {
          i++;
          done = true;
          break;
        }
      } else if (byte === COMMA && depth === 0) {
        done = true;
        break;
      } else started = true;
    }
    onStretch(buffer, start, i);
    reader.position = i;
    if (done) return;
  }
}

function skipSpace(reader: ByteReader): number {
  for (;;) {
    const byte = reader.peek();
    if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return byte;
    reader.position++;
  }
}

function expect(reader: ByteReader, byte: number): void {
  const found = skipSpace(reader);
  if (found !== byte) {
    const what = found < 0 ? 'the end of the file' : JSON.stringify(String.fromCharCode(found));
    throw new Error(
      `expected ${JSON.stringify(String.fromCharCode(byte))} in heap snapshot, found ${what} at byte ${reader.offset + reader.position}`,
    );
  }
  reader.position++;
}

import { constants } from 'node:os';
import {
  KEEPER_LIMITS,
  type KeeperRequestFrame,
  type KeeperSignal,
  type KeeperSpawnPlan,
  type LogTarget,
  type UserLogFiles,
} from './protocol.js';

/** A request checked field by field, or why not. Reasons never quote the sender's values. */
export type ParsedRequest =
  | { ok: true; request: KeeperRequestFrame }
  /** `id` when the frame had a usable one, so the refusal answers the request it refuses. */
  | { ok: false; reason: string; id: number | null };

/** Far above any version guv will reach; bounds what a peer may claim. */
const MAX_VERSION = 1e6;

class Refused extends Error {}

function refuse(reason: string): never {
  throw new Refused(reason);
}

/**
 * Checks one frame off the keeper's socket: the request's shape, every field's type, every
 * size against {@link KEEPER_LIMITS}. The result holds only the protocol's fields.
 *
 * @example
 * const parsed = parseKeeperRequest(JSON.parse(line));
 * if (!parsed.ok) reply(null, 'GUV_KEEPER_BAD_REQUEST', parsed.reason);
 */
export function parseKeeperRequest(raw: unknown): ParsedRequest {
  try {
    return { ok: true, request: parse(raw) };
  } catch (error) {
    if (error instanceof Refused) return { ok: false, reason: error.message, id: idOf(raw) };
    throw error;
  }
}

function idOf(raw: unknown): number | null {
  const id = (raw as { id?: unknown } | null)?.id;
  return Number.isSafeInteger(id) && (id as number) >= 0 ? (id as number) : null;
}

function parse(raw: unknown): KeeperRequestFrame {
  const frame = record(raw, 'request');
  const id = frame.id;
  if (!Number.isSafeInteger(id) || (id as number) < 0) refuse('id is not a whole number');
  const base = { id: id as number };
  switch (frame.op) {
    case 'hello': {
      const version = integer(frame.version, 'version', 0, MAX_VERSION);
      return {
        ...base,
        op: 'hello',
        token: text(frame.token, 'token', 256),
        version,
        // Version 1's hello has none: it speaks only its own.
        oldest: frame.oldest === undefined ? version : integer(frame.oldest, 'oldest', 0, version),
      };
    }
    case 'retire':
      return {
        ...base,
        op: 'retire',
        token: text(frame.token, 'token', 256),
        killMs: integer(frame.killMs, 'killMs', 0, 600_000),
      };
    case 'spawn':
      return {
        ...base,
        op: 'spawn',
        childId: childId(frame.childId),
        plan: spawnPlan(frame.plan),
        logs: logTarget(frame.logs),
        meta: meta(frame.meta),
      };
    case 'send':
      if (frame.message === undefined) refuse('send: no message');
      return { ...base, op: 'send', childId: childId(frame.childId), message: frame.message };
    case 'stdin':
      return {
        ...base,
        op: 'stdin',
        childId: childId(frame.childId),
        data: text(frame.data, 'stdin data', KEEPER_LIMITS.requestFrame, true),
        end: frame.end === true,
      };
    case 'signal':
      if (typeof frame.signal !== 'string' || !Object.hasOwn(constants.signals, frame.signal)) {
        refuse('signal: not a signal name');
      }
      return {
        ...base,
        op: 'signal',
        childId: childId(frame.childId),
        signal: frame.signal as KeeperSignal,
      };
    case 'note':
      return { ...base, op: 'note', childId: childId(frame.childId), meta: meta(frame.meta) };
    case 'facts':
      return { ...base, op: 'facts' };
    case 'ack':
      return { ...base, op: 'ack', upTo: integer(frame.upTo, 'upTo', 0, Number.MAX_SAFE_INTEGER) };
    case 'watchOutput':
      return { ...base, op: 'watchOutput', on: boolean(frame.on, 'watchOutput: on') };
    case 'shutdown':
      return { ...base, op: 'shutdown', killMs: integer(frame.killMs, 'killMs', 0, 600_000) };
    default:
      return refuse('unknown op');
  }
}

function spawnPlan(raw: unknown): KeeperSpawnPlan {
  const plan = record(raw, 'plan');
  const args = list(plan.args, 'args', KEEPER_LIMITS.argCount);
  let argBytes = 0;
  for (const arg of args) argBytes += Buffer.byteLength(text(arg, 'an argument', 1e9, true)) + 1;
  if (argBytes > KEEPER_LIMITS.argBytes) refuse('args: too long');
  const env = record(plan.env, 'env');
  const names = Object.keys(env);
  if (names.length > KEEPER_LIMITS.envCount) refuse('env: too many variables');
  let envBytes = 0;
  const cleanEnv: Record<string, string> = {};
  for (const name of names) {
    const value = env[name];
    if (name === '' || name.includes('=') || name.includes('\0')) refuse('env: bad name');
    if (typeof value !== 'string' || value.includes('\0')) refuse('env: a value is not a string');
    envBytes += Buffer.byteLength(name) + Buffer.byteLength(value) + 2;
    cleanEnv[name] = value;
  }
  if (envBytes > KEEPER_LIMITS.envBytes) refuse('env: too large');
  if (plan.stdin !== 'pipe' && plan.stdin !== 'ignore') refuse('stdin: not pipe or ignore');
  return {
    command: absolutePath(plan.command, 'command'),
    args: args as string[],
    cwd: absolutePath(plan.cwd, 'cwd'),
    env: cleanEnv,
    uid: optionalId(plan.uid, 'uid'),
    gid: optionalId(plan.gid, 'gid'),
    stdin: plan.stdin,
    ipc: boolean(plan.ipc, 'ipc'),
    maxIpcBytes: integer(plan.maxIpcBytes, 'maxIpcBytes', 1024, 64 * 1024 * 1024),
  };
}

function logTarget(raw: unknown): LogTarget {
  const logs = record(raw, 'logs');
  const name = text(logs.name, 'logs.name', KEEPER_LIMITS.nameBytes);
  // The name is a folder under the keeper's logs folder: one plain path segment.
  if (name === '.' || name === '..' || /[/\\\0]/.test(name)) refuse('logs.name: not a plain name');
  return {
    name,
    workerIndex:
      logs.workerIndex === null ? null : integer(logs.workerIndex, 'workerIndex', 0, 65535),
    cluster: logs.cluster === true,
    maxBytes: integer(logs.maxBytes, 'maxBytes', 1, Number.MAX_SAFE_INTEGER),
    keep: integer(logs.keep, 'keep', 0, 1000),
    // What logAccess() makes, nothing else: log files are never writable by others.
    fileMode: oneOf(logs.fileMode, 'fileMode', [0o600, 0o640]),
    dirMode: oneOf(logs.dirMode, 'dirMode', [0o700, 0o750]),
    gid: optionalId(logs.gid, 'logs.gid'),
    time: boolean(logs.time, 'logs.time'),
    userFiles: logs.userFiles === null ? null : userFiles(logs.userFiles),
  };
}

/** Paths the keeper never opens (a writer running as uid/gid does): checked for shape only. */
function userFiles(raw: unknown): UserLogFiles {
  const files = record(raw, 'logs.userFiles');
  const path = (value: unknown, what: string) =>
    value === null ? null : absolutePath(value, what);
  return {
    out: path(files.out, 'userFiles.out'),
    err: path(files.err, 'userFiles.err'),
    uid: nullableId(files.uid, 'userFiles.uid'),
    gid: nullableId(files.gid, 'userFiles.gid'),
  };
}

function meta(raw: unknown): unknown {
  if (raw === undefined) return null;
  // Already parsed from one frame; measured again so a child's entry stays small in `facts`.
  if (JSON.stringify(raw).length > KEEPER_LIMITS.meta) refuse('meta: too large');
  return raw;
}

function childId(raw: unknown): string {
  const id = text(raw, 'childId', KEEPER_LIMITS.idBytes);
  if (id.includes('\0')) refuse('childId: bad character');
  return id;
}

function record(raw: unknown, what: string): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    refuse(`${what}: not an object`);
  return raw as Record<string, unknown>;
}

function list(raw: unknown, what: string, max: number): unknown[] {
  if (!Array.isArray(raw)) refuse(`${what}: not a list`);
  if (raw.length > max) refuse(`${what}: too many`);
  return raw;
}

function text(raw: unknown, what: string, maxBytes: number, emptyOk = false): string {
  if (typeof raw !== 'string') return refuse(`${what}: not a string`);
  if (!emptyOk && raw === '') refuse(`${what}: empty`);
  if (raw.length > maxBytes || Buffer.byteLength(raw) > maxBytes) refuse(`${what}: too long`);
  return raw;
}

function absolutePath(raw: unknown, what: string): string {
  const path = text(raw, what, KEEPER_LIMITS.pathBytes);
  if (!path.startsWith('/') || path.includes('\0')) refuse(`${what}: not an absolute path`);
  return path;
}

function integer(raw: unknown, what: string, min: number, max: number): number {
  if (!Number.isSafeInteger(raw) || (raw as number) < min || (raw as number) > max) {
    refuse(`${what}: not a whole number in range`);
  }
  return raw as number;
}

function oneOf(raw: unknown, what: string, allowed: number[]): number {
  if (!allowed.includes(raw as number)) refuse(`${what}: not an allowed mode`);
  return raw as number;
}

function boolean(raw: unknown, what: string): boolean {
  if (typeof raw !== 'boolean') refuse(`${what}: not a boolean`);
  return raw;
}

/** An id that must be said, even when it is null (the keeper's own). */
function nullableId(raw: unknown, what: string): number | null {
  return raw === null ? null : integer(raw, what, 0, 2 ** 32 - 2);
}

function optionalId(raw: unknown, what: string): number | null {
  return raw === null || raw === undefined ? null : integer(raw, what, 0, 2 ** 32 - 2);
}

import type { JsonValue } from '../../bus/events.js';
import type { SerializedError } from '../../types/info.js';
import {
  type HeartbeatFigures,
  SERVER_KINDS,
  type ServerKind,
  WRAPPER_CMD,
  WRAPPER_LIMITS,
  WRAPPER_LOG_LEVELS,
  type WrapperLogLevel,
  type WrapperMessage,
} from './protocol.js';

/** A message checked against its schema, or why it was not. Reasons never quote the sender. */
export type Parsed<T> = { ok: true; message: T } | { ok: false; reason: string };

const HEARTBEAT_FIELDS: readonly (keyof HeartbeatFigures)[] = [
  'heapUsed',
  'heapTotal',
  'rss',
  'loopDelayP50',
  'loopDelayP99',
  'loopDelayMax',
  'cpuUser',
  'cpuSystem',
  'periodMs',
];

/**
 * Checks what a child's wrapper sent (any value off the IPC channel) against the protocol: the
 * envelope, the type, each field's type and enum, finite numbers. Texts are cut to
 * {@link WRAPPER_LIMITS}; the result is a fresh object holding only the protocol's fields.
 *
 * @example
 * const parsed = parseWrapperMessage(raw);
 * if (!parsed.ok) dropped(id, parsed.reason);
 */
export function parseWrapperMessage(raw: unknown): Parsed<WrapperMessage> {
  if (!isRecord(raw) || raw.cmd !== WRAPPER_CMD) return fail('not a guv wrapper message');
  const cmd: typeof WRAPPER_CMD = WRAPPER_CMD;
  switch (raw.type) {
    case 'started':
    case 'ready':
      return ok({ cmd, type: raw.type });
    case 'errored': {
      const error = parseSerializedError(raw.error);
      return error ? ok({ cmd, type: 'errored', error }) : fail('errored: bad error');
    }
    case 'uncaught': {
      const error = parseSerializedError(raw.error);
      if (!error) return fail('uncaught: bad error');
      if (typeof raw.handled !== 'boolean') return fail('uncaught: handled is not a boolean');
      return ok({ cmd, type: 'uncaught', error, handled: raw.handled });
    }
    case 'log': {
      if (!isLogLevel(raw.level)) return fail('log: level is not debug, info, warn or error');
      if (typeof raw.message !== 'string') return fail('log: message is not a string');
      const message = truncateText(raw.message, WRAPPER_LIMITS.logMessage);
      return ok({ cmd, type: 'log', level: raw.level, message });
    }
    case 'listening': {
      if (!SERVER_KINDS.includes(raw.kind as ServerKind)) return fail('listening: unknown kind');
      const port = raw.port;
      if (
        port !== null &&
        !(Number.isInteger(port) && (port as number) >= 0 && (port as number) <= 65535)
      )
        return fail('listening: bad port');
      if (typeof raw.address !== 'string' || raw.address.length > WRAPPER_LIMITS.address)
        return fail('listening: bad address');
      return ok({
        cmd,
        type: 'listening',
        kind: raw.kind as ServerKind,
        port: port as number | null,
        address: raw.address,
      });
    }
    case 'heartbeat': {
      const figures = {} as HeartbeatFigures;
      for (const field of HEARTBEAT_FIELDS) {
        const value = raw[field];
        if (typeof value !== 'number' || !Number.isFinite(value))
          return fail('heartbeat: a figure is not a finite number');
        figures[field] = value;
      }
      return ok({ cmd, type: 'heartbeat', ...figures });
    }
    case 'config:request': {
      if (!isRequestId(raw.requestId)) return fail('config:request: bad requestId');
      if (typeof raw.key !== 'string' || raw.key.length > WRAPPER_LIMITS.configKey)
        return fail('config:request: bad key');
      return ok({ cmd, type: 'config:request', requestId: raw.requestId, key: raw.key });
    }
    case 'msg': {
      // It came as JSON, so it is JSON; only its size is in question.
      const data = (raw.data ?? null) as JsonValue;
      if (JSON.stringify(data).length > WRAPPER_LIMITS.appMessage)
        return fail(`msg: data over ${WRAPPER_LIMITS.appMessage} characters of JSON`);
      return ok({ cmd, type: 'msg', data });
    }
    case 'reply': {
      if (!isRequestId(raw.requestId)) return fail('reply: bad requestId');
      if (raw.ok === true) {
        const reply = { cmd, type: 'reply' as const, requestId: raw.requestId, ok: true as const };
        return ok(raw.result === undefined ? reply : { ...reply, result: raw.result });
      }
      if (raw.ok !== false) return fail('reply: ok is not a boolean');
      const error = parseSerializedError(raw.error);
      if (!error) return fail('reply: bad error');
      return ok({ cmd, type: 'reply', requestId: raw.requestId, ok: false, error });
    }
    default:
      return fail('unknown message type');
  }
}

/** An error as a child reports it: strings only, each cut to its cap; null when malformed. */
export function parseSerializedError(raw: unknown): SerializedError | null {
  if (!isRecord(raw) || typeof raw.name !== 'string' || typeof raw.message !== 'string')
    return null;
  if (raw.code !== undefined && typeof raw.code !== 'string') return null;
  if (raw.stack !== undefined && typeof raw.stack !== 'string') return null;
  if (raw.site !== undefined && typeof raw.site !== 'string') return null;
  return boundError(raw as unknown as SerializedError);
}

/** A copy of `error` holding only its fields, each text cut to {@link WRAPPER_LIMITS}. */
export function boundError(error: SerializedError): SerializedError {
  const bounded: SerializedError = {
    name: truncateText(error.name, WRAPPER_LIMITS.errorName),
    message: truncateText(error.message, WRAPPER_LIMITS.errorMessage),
  };
  if (error.code !== undefined) bounded.code = truncateText(error.code, WRAPPER_LIMITS.errorCode);
  if (error.stack !== undefined)
    bounded.stack = truncateText(error.stack, WRAPPER_LIMITS.errorStack);
  if (error.site !== undefined) bounded.site = truncateText(error.site, WRAPPER_LIMITS.errorSite);
  return bounded;
}

/** `text` if it fits in `max` code units, else its start and a marker, `max` units in all. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = ` … [truncated by guv: ${text.length} characters]`;
  let end = Math.max(0, max - marker.length);
  // Never split a surrogate pair.
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end) + marker;
}

export function isLogLevel(value: unknown): value is WrapperLogLevel {
  return WRAPPER_LOG_LEVELS.includes(value as WrapperLogLevel);
}

function isRequestId(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function ok(message: WrapperMessage): Parsed<WrapperMessage> {
  return { ok: true, message };
}

function fail(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { pageSender } from '../web/http.js';

const TEXT = 'text/plain; charset=utf-8';
const MAX_BODY_BYTES = 64 * 1024;

/** The dashboard's responses: never framed, forms post only here. */
export const send = pageSender('deny');

export function json(response: ServerResponse, value: unknown, status = 200): void {
  send(response, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

export function text(response: ServerResponse, status: number, message: string): void {
  send(response, status, TEXT, `${message}\n`);
}

/** One cookie's value from the Cookie header, or null. */
export function cookieValue(request: IncomingMessage, name: string): string | null {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** A JSON request body of at most 64 KiB; GUV-free errors, the caller answers 400/413. */
export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const type = request.headers['content-type'] ?? '';
  // A form or text/plain POST (the kinds another site can make without asking) is never read.
  if (!/^application\/json(;|$)/.test(type)) throw new BodyError(415, 'expected application/json');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyError(413, 'request body too large');
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    throw new BodyError(400, 'malformed JSON');
  }
}

export class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

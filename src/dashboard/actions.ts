import type { GuvClient } from '../client/api.js';
import { GuvError } from '../errors.js';
import { parseStartOptions } from '../protocol/start-options.js';

/** What a button on the process page asks for: the action's name and its checked body. */
export type ProcessAction = (
  client: GuvClient,
  id: string,
  body: Record<string, unknown>,
) => Promise<unknown>;

const SIGNAL = /^(SIG)?[A-Z0-9]{2,10}$/;

function integer(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new GuvError('GUV_BAD_ARGUMENT', `${field}: expected an integer from ${min} to ${max}`);
  }
  return value;
}

/** Every process button, by the last segment of `POST /api/hosts/<host>/processes/<id>/<action>`. */
export const PROCESS_ACTIONS: Record<string, ProcessAction> = {
  start: (c, id) => c.request('start', parseStartOptions({ target: id })),
  stop: (c, id) => c.stopProcess(id),
  restart: (c, id) => c.restartProcess(id),
  reload: (c, id) => c.reload(id),
  gc: (c, id) => c.gc(id),
  heapdump: (c, id) => c.heapdump(id, { summary: true, top: 15 }),
  signal: (c, id, body) => {
    const signal = body.signal;
    if (typeof signal !== 'string' || !SIGNAL.test(signal)) {
      throw new GuvError('GUV_BAD_ARGUMENT', 'signal: expected a name such as SIGUSR2');
    }
    return c.process(id).signal(signal);
  },
  workers: async (c, id, body) => {
    const delta = integer(body.delta, 'delta', -64, 64);
    const info = await c.info(id);
    if (info.kind !== 'cluster' || info.instances === null) {
      throw new GuvError('GUV_BAD_ARGUMENT', `${info.name} is not a cluster`);
    }
    return c.resizeCluster(id, integer(info.instances + delta, 'workers', 1, 256));
  },
};

/** Fields of an app request body, checked. */
export function appInstallBody(body: Record<string, unknown>): {
  url: string;
  name?: string;
  ref?: string;
} {
  const url = body.url;
  if (typeof url !== 'string' || url === '' || url.length > 2048) {
    throw new GuvError('GUV_BAD_ARGUMENT', 'url: expected a git URL');
  }
  const out: { url: string; name?: string; ref?: string } = { url };
  for (const field of ['name', 'ref'] as const) {
    const value = body[field];
    if (value === undefined || value === '' || value === null) continue;
    if (typeof value !== 'string' || value.length > 256) {
      throw new GuvError('GUV_BAD_ARGUMENT', `${field}: expected a string`);
    }
    out[field] = value;
  }
  return out;
}

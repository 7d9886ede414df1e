import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { MAX_FRAME_BYTES } from '../../src/rpc/frame.js';
import { HOSTILE_APP_NAMES, hostileRefs, hostileRepoUrls } from '../helpers/hostile-input.js';

/** mulberry32: a seeded PRNG, so a failing run replays from its seed. */
export function seededRandom(seed: number) {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    int,
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]): T => items[int(items.length)]!,
  };
}

export type Random = ReturnType<typeof seededRandom>;

/**
 * Every method the daemon serves but three whose effect does not depend on their
 * parameters and is not an attack: `kill` (stops the daemon), `ui` (opens the web UI's
 * port), `restore` (restarts the saved processes).
 */
export const FUZZED_METHODS = [
  'ping',
  'subscribe',
  'unsubscribe',
  'status',
  'list',
  'start',
  'stop',
  'restart',
  'remove',
  'info',
  'why',
  'metrics',
  'exceptions',
  'logFiles',
  'config',
  'dump',
  'send',
  'signal',
  'write',
  'gc',
  'heapdump',
  'reload',
  'resize',
  'installApp',
  'listApps',
  'removeApp',
  'listRefs',
  'updateRefs',
  'setRef',
  'currentRef',
] as const;

/** Names on Object.prototype and friends, as method names and as parameter keys. */
const PROTOTYPE_NAMES = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
  '__lookupGetter__',
  'isPrototypeOf',
];

/** Keys that would change what the daemon does if they were inherited by every object. */
export const POLLUTION_KEYS = [
  'guvPolluted',
  'path',
  'format',
  'target',
  'shell',
  'NODE_OPTIONS',
  'env',
  'cwd',
  'uid',
  'argv0',
  'execArgv',
  'force',
  'output',
];

/** The value every pollution attempt sets: found anywhere later, it got through. */
export const POLLUTION_VALUE = 'guv-polluted-value';

/** Parameter names the methods read, so wrong types reach the checks behind them. */
const PARAM_KEYS = [
  'target',
  'name',
  'url',
  'ref',
  'cwd',
  'user',
  'group',
  'env',
  'args',
  'execArgv',
  'interpreter',
  'instances',
  'restart',
  'policy',
  'killTimeoutMs',
  'startTimeoutMs',
  'pattern',
  'event',
  'signal',
  'data',
  'path',
  'top',
  'summary',
  'format',
  'worker',
  'force',
  'output',
  'debug',
  'appReadiness',
];

const STRINGS = [
  '',
  ' ',
  '*',
  '**',
  'process:*',
  ':',
  '*:*:*',
  'SIGKILL',
  'SIGSTOP',
  '9',
  '-1',
  '0',
  'none',
  'node',
  'max',
  'openmetrics',
  '/nonexistent/guv-fuzz/../etc/passwd',
  '/nonexistent/guv-fuzz/x.js',
  '../../../../nonexistent/guv-fuzz',
  '\0',
  '\n',
  '\u2028',
  '\ud800',
  '%s%n%x',
  // A template-injection probe, kept out of this file's own template syntax.
  `$${'{7*7}'}`,
  '$(touch /nonexistent/guv-fuzz)',
  ...HOSTILE_APP_NAMES.map(([, value]) => value),
  ...hostileRefs('/nonexistent/guv-fuzz').map(([, value]) => value),
];

const URLS = hostileRepoUrls('/nonexistent/guv-fuzz').map(([, value]) => value);

/** A JSON value of any type, hostile where it can be, `depth` levels deep at most. */
export function randomValue(random: Random, depth = 3): unknown {
  switch (random.int(depth > 0 ? 12 : 9)) {
    case 0:
      return null;
    case 1:
      return random.chance(0.5);
    case 2:
      return random.pick([0, -0, -1, 1.5, 2 ** 31, 2 ** 53 + 1, -(2 ** 63), 1e308, -1e-308]);
    case 3:
      return random.int(1_000_000);
    case 4:
    case 5:
      return random.pick(STRINGS);
    case 6:
      return randomString(random, random.int(64));
    case 7:
      return 'x'.repeat(random.chance(0.9) ? 1000 : random.pick([65_536, 200_000]));
    case 8:
      return random.pick(URLS);
    case 9:
      return Array.from({ length: random.int(8) }, () => randomValue(random, depth - 1));
    case 10:
      return randomObject(random, depth - 1);
    default:
      return pollution(random);
  }
}

function randomObject(random: Random, depth: number): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (let n = random.int(6); n > 0; n--) {
    const key = random.chance(0.8) ? random.pick(PARAM_KEYS) : random.pick(PROTOTYPE_NAMES);
    // Defined as own data properties, as JSON.parse on the daemon's side will.
    Object.defineProperty(object, key, {
      value: randomValue(random, depth),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return object;
}

function randomString(random: Random, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) {
    text += String.fromCodePoint(random.chance(0.8) ? 0x20 + random.int(95) : random.int(0x2ffff));
  }
  return text;
}

/** `{"__proto__": {key: value}}` or `{"constructor": {"prototype": {key: value}}}`, as text. */
function pollution(random: Random): unknown {
  const inner = { [random.pick(POLLUTION_KEYS)]: POLLUTION_VALUE };
  return JSON.parse(
    random.chance(0.5)
      ? `{"__proto__": ${JSON.stringify(inner)}}`
      : `{"constructor": {"prototype": ${JSON.stringify(inner)}}}`,
  );
}

/** What the fuzzing must leave alone: the test's own process, and real files. */
export interface Spared {
  /** The process kept running through the fuzzing: never named, by name or pid. */
  name: string;
  pid: number;
  /** The daemon's working folder, against which it resolves a relative script. */
  daemonCwd: string;
}

/**
 * Whether a frame leaves `spared` alone. A `start` of a file that exists is a request the
 * owner may make, not an attack: it would only add a process, so it is never sent.
 */
function spares(frame: Buffer, spared: Spared): boolean {
  const text = frame.toString('latin1');
  if (text.includes(spared.name) || text.includes(`"${spared.pid}"`)) return false;
  let value: { method?: unknown; params?: { target?: unknown; cwd?: unknown } } | undefined;
  try {
    value = JSON.parse(frame.toString('utf8'));
  } catch {
    return true;
  }
  const target = value?.params?.target;
  if (value?.method !== 'start' || typeof target !== 'string') return true;
  const cwd = typeof value.params?.cwd === 'string' ? value.params.cwd : '';
  return !existsSync(resolve(spared.daemonCwd, cwd, target));
}

function request(id: unknown, method: unknown, params: unknown): string {
  return JSON.stringify({ id, method, params });
}

/** Frames of one kind each; every one ends with "\n" and fits the frame limit. */
const KINDS: Array<[weight: number, make: (random: Random) => string | Buffer]> = [
  // Random bytes, which may hold newlines of their own.
  [15, (random) => Buffer.from(Array.from({ length: random.int(2000) }, () => random.int(256)))],
  // A well-formed request cut short.
  [
    10,
    (random) => {
      const whole = request(random.int(1e6), random.pick(FUZZED_METHODS), randomValue(random));
      return whole.slice(0, random.int(whole.length));
    },
  ],
  // Unknown methods, Object.prototype's names among them.
  [
    8,
    (random) =>
      request(
        random.int(1e6),
        random.chance(0.5) ? random.pick(PROTOTYPE_NAMES) : randomString(random, 12),
        randomValue(random),
      ),
  ],
  // Known methods with parameters of every wrong type.
  [
    40,
    (random) =>
      request(
        random.int(1e6),
        random.pick(FUZZED_METHODS),
        random.chance(0.8) ? randomObject(random, 3) : randomValue(random),
      ),
  ],
  // Prototype pollution, at the top of the frame and inside parameters.
  [
    12,
    (random) => {
      const key = random.pick(POLLUTION_KEYS);
      const method = random.pick(FUZZED_METHODS);
      const poison = `{"${key}": "${POLLUTION_VALUE}"}`;
      const where = random.pick(['params', 'env', 'policy', 'top']);
      if (where === 'top') return `{"id":1,"method":"${method}","__proto__":${poison}}`;
      if (where === 'params') {
        return `{"id":2,"method":"${method}","params":{"__proto__":${poison},"constructor":{"prototype":${poison}}}}`;
      }
      return `{"id":3,"method":"${method}","params":{"target":"/nonexistent/guv-fuzz/x.js","${where}":{"__proto__":${poison}}}}`;
    },
  ],
  // Deep nesting, as the frame and as a parameter.
  [
    2,
    (random) => {
      const depth = random.pick([1000, 10_000, 100_000, 300_000]);
      const nested = random.chance(0.5)
        ? `${'['.repeat(depth)}${']'.repeat(depth)}`
        : `${'{"a":'.repeat(depth / 2)}1${'}'.repeat(depth / 2)}`;
      if (random.chance(0.3)) return nested;
      return `{"id":4,"method":"${random.pick(FUZZED_METHODS)}","params":{"${random.pick(PARAM_KEYS)}":${nested}}}`;
    },
  ],
  // Odd ids and methods: objects, huge strings, floats, missing.
  [
    5,
    (random) =>
      request(
        random.pick([undefined, null, {}, [], 1.5, -1, 'x'.repeat(100_000), '__proto__', true]),
        random.chance(0.5) ? random.pick(FUZZED_METHODS) : randomValue(random, 1),
        randomValue(random, 1),
      ),
  ],
  // Length-prefixed framing, which this protocol does not use: a huge length, then a frame.
  [
    3,
    (random) =>
      random.chance(0.5)
        ? `Content-Length: 99999999999\r\n\r\n${request(5, 'ping', null)}`
        : Buffer.concat([
            Buffer.from([0xff, 0xff, 0xff, 0xff]),
            Buffer.from(request(6, 'ping', null)),
          ]),
  ],
  // Subscriptions to long, ever different patterns, then dropping them.
  [
    3,
    (random) =>
      request(7, random.chance(0.7) ? 'subscribe' : 'unsubscribe', {
        pattern: `fuzz:${random.int(1e9)}:${'p'.repeat(random.pick([10, 10_000, 100_000]))}:*`,
      }),
  ],
];

const TOTAL_WEIGHT = KINDS.reduce((sum, [weight]) => sum + weight, 0);

/** One hostile frame (newline included) that leaves `spared` alone. */
export function hostileFrame(random: Random, spared: Spared): Buffer {
  for (;;) {
    const roll = random.int(TOTAL_WEIGHT);
    let below = 0;
    const [, make] = KINDS.find(([weight]) => {
      below += weight;
      return roll < below;
    })!;
    const made = make(random);
    const bytes = Buffer.isBuffer(made) ? made : Buffer.from(made);
    if (bytes.length >= MAX_FRAME_BYTES) continue;
    if (!spares(bytes, spared)) continue;
    return Buffer.concat([bytes, Buffer.from('\n')]);
  }
}

/** A line longer than the frame limit, which the daemon answers by closing the connection. */
export function oversizedFrame(random: Random): Buffer {
  const size = MAX_FRAME_BYTES + 1 + random.int(MAX_FRAME_BYTES);
  const head = Buffer.from(`{"id":8,"method":"ping","params":"`);
  return Buffer.concat([head, Buffer.alloc(size, 'x'), Buffer.from('"}\n')]);
}

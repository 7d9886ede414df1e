import { GuvError } from '../errors.js';

/** `"--port 80 'a b'"` → `['--port', '80', 'a b']`: whitespace-separated, quotes group. */
export function splitArgv(value: string | undefined): string[] {
  if (value === undefined || value.trim() === '') return [];
  const words: string[] = [];
  const pattern = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const match of value.matchAll(pattern)) words.push(match[1] ?? match[2] ?? match[3] ?? '');
  return words;
}

/** `['A=1', 'B=x=y']` → `{ A: '1', B: 'x=y' }`. */
export function parseEnvPairs(pairs: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0)
      throw new GuvError('GUV_BAD_ARGUMENT', `--env needs NAME=value, got "${pair}"`);
    env[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return env;
}

/** How `node:util` parseArgs declares an option: enough to know which ones take a value. */
export interface OptionShape {
  type: 'string' | 'boolean';
  short?: string;
}

/**
 * `['-e', '--max-old-space-size=256']` → `['--execArgv=--max-old-space-size=256']`: an option
 * that takes a value takes the next word, whatever it begins with (parseArgs refuses a value
 * beginning with a dash unless it is written inline, as commander would not).
 */
export function inlineOptionValues(
  args: readonly string[],
  options: Readonly<Record<string, OptionShape>>,
): string[] {
  const longOf = new Map<string, string>();
  for (const [long, shape] of Object.entries(options)) {
    if (shape.type !== 'string') continue;
    longOf.set(`--${long}`, long);
    if (shape.short) longOf.set(`-${shape.short}`, long);
  }
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    const long = longOf.get(word);
    const value = args[i + 1];
    if (long === undefined || value === undefined) {
      out.push(word);
      continue;
    }
    out.push(`--${long}=${value}`);
    i++;
  }
  return out;
}

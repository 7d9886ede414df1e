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

/** How guv decides to colour: the flag, the environment, and whether stdout is a terminal. */
export interface ColorContext {
  /** False after `--no-color`. */
  flag: boolean;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
}

/**
 * Whether to colour stdout: never after `--no-color`; always with FORCE_COLOR (set and not `0`
 * or `false`, as Node reads it); never with NO_COLOR set and not empty (no-color.org) or
 * TERM=dumb; otherwise only on a terminal. Pure.
 *
 * @example
 * wantsColor({ flag: true, env: { NO_COLOR: '1' }, isTTY: true }); // false
 */
export function wantsColor({ flag, env, isTTY }: ColorContext): boolean {
  if (!flag) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return isTTY;
}

const CODES = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;
export type Color = keyof typeof CODES;

/** `text` in `color` when `on`, else `text` unchanged. */
export function paint(on: boolean | undefined, color: Color, text: string): string {
  return on ? `\u001b[${CODES[color]}m${text}\u001b[0m` : text;
}

/** The colour of a process status: green running, red errored or failed, yellow in between. */
export function statusColor(status: string): Color {
  if (status === 'running' || status === 'online') return 'green';
  if (/errored|failed|crash|abort/.test(status)) return 'red';
  if (status === 'stopped') return 'dim';
  return 'yellow';
}

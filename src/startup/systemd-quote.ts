import { GuvError } from '../errors.js';

const PLAIN = /^[\w/.+:=@,-]+$/;

/**
 * One word of a unit file's setting, quoted so systemd reads it back as given: double quotes
 * with `\` and `"` escaped, `%` doubled (systemd expands `%` specifiers everywhere), and in
 * ExecStart= (`exec`) `$` doubled too, as systemd expands variables there. A line break cannot be
 * written in a unit: refused.
 *
 * @example
 * systemdWord('/opt/my app/node', 'node', 'exec'); // '"/opt/my app/node"'
 */
export function systemdWord(
  value: string,
  what: string,
  context: 'exec' | 'value' = 'value',
): string {
  if (/[\n\r\0]/.test(value))
    throw new GuvError(
      'GUV_BAD_ARGUMENT',
      `${what} holds a line break: it cannot go in a unit file`,
    );
  const percent = value.replaceAll('%', '%%');
  const escaped = context === 'exec' ? percent.replaceAll('$', '$$$$') : percent;
  if (PLAIN.test(value)) return escaped;
  return `"${escaped.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

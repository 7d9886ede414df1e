import type { ProcessSummary } from '../../protocol/replies.js';
import type { CliIO } from '../command.js';
import { printable } from '../errors.js';

/**
 * Prints a start's (or restart's) outcome in words: `web [id] is running (pid 123)` on stdout, or
 * `guv: web failed: …` and where to look on stderr. Returns whether it went as asked; null
 * when the answer carries no outcome (nothing printed).
 */
export function printOutcome(answer: ProcessSummary, io: CliIO): boolean | null {
  const { outcome, name } = answer;
  if (!outcome) return null;
  if (outcome.ok) {
    const pid = answer.pid === null ? '' : ` (pid ${answer.pid})`;
    // Its id after its name, as `guv start` always printed: scripts read it from there.
    const text = outcome.text.startsWith(`${name} `)
      ? `${name} [${answer.id}]${outcome.text.slice(name.length)}`
      : outcome.text;
    io.stdout.write(`${printable(text)}${pid}\n`);
  } else {
    const still = outcome.outcome === 'crashing' ? '; it keeps restarting' : '';
    io.stderr.write(
      `guv: ${printable(outcome.text)}${still}; see 'guv why ${name}' and 'guv logs ${name}'\n`,
    );
  }
  if ('warning' in outcome && outcome.warning)
    io.stderr.write(`guv: warning: ${printable(outcome.warning)}\n`);
  return outcome.ok;
}

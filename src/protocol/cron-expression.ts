import { Cron } from 'croner';
import { GuvError } from '../errors.js';

const MAX_LENGTH = 200;

/**
 * A cron expression of 5 fields (minute hour day month weekday) or 6 (seconds first), as
 * croner reads it; throws GUV_BAD_ARGUMENT with croner's reason in one line.
 *
 * @example
 * parseCronExpression('0 3 * * *', '--cron-restart'); // '0 3 * * *'
 */
export function parseCronExpression(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  const fail = (why: string): never => {
    throw new GuvError(
      'GUV_BAD_ARGUMENT',
      `${field} must be a cron expression of 5 or 6 fields (e.g. "0 3 * * *"), got ${JSON.stringify(value)}${why}`,
    );
  };
  if (typeof value !== 'string' || value.length > MAX_LENGTH) return fail('');
  const expression = value.trim().split(/\s+/).join(' ');
  const fields = expression.split(' ').length;
  if (fields !== 5 && fields !== 6) return fail('');
  try {
    const cron = new Cron(expression, { paused: true });
    if (cron.nextRun(new Date()) === null) fail(': it never fires');
  } catch (error) {
    if (error instanceof GuvError) throw error;
    fail(`: ${(error as Error).message.replace(/^CronPattern: /, '').split('\n')[0]}`);
  }
  return expression;
}

import { GuvError } from '../../errors.js';
import { followLogs, type LogLevel, type LogLine, readLastRecords } from '../../logs/index.js';
import type { CliCommand } from '../command.js';
import { withClient } from '../connect.js';

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

function parseLevel(value: string | undefined): LogLevel | undefined {
  if (value === undefined) return undefined;
  if (!LEVELS.includes(value as LogLevel)) {
    throw new GuvError(
      'GUV_BAD_ARGUMENT',
      `--level must be one of ${LEVELS.join(', ')}, got "${value}"`,
    );
  }
  return value as LogLevel;
}

function parseGrep(value: string | undefined): RegExp | undefined {
  if (value === undefined) return undefined;
  try {
    return new RegExp(value);
  } catch (error) {
    throw new GuvError(
      'GUV_BAD_ARGUMENT',
      `--grep is not a valid regular expression: ${(error as Error).message}`,
    );
  }
}

/**
 * `guv logs [p] [--lines N] [--follow] [--level L] [--json] [--grep RE]`: the log files are
 * read directly (the daemon only says where they are); without `p`, every process interleaved.
 */
type LogsOptions = {
  lines: string;
  follow?: boolean;
  level?: string;
  json?: boolean;
  grep?: string;
};

const logs: CliCommand<LogsOptions> = async ({ args: [target], options: values }, io) => {
  if (!/^\d+$/.test(values.lines))
    throw new GuvError('GUV_BAD_ARGUMENT', `--lines must be a number, got "${values.lines}"`);
  const level = parseLevel(values.level);
  const grep = parseGrep(values.grep);
  // The daemon answers with paths on its own machine: never read them here.
  if (io.env.GUV_HOST) {
    throw new GuvError(
      'GUV_BAD_ARGUMENT',
      "guv logs reads log files on this machine; for a remote host use guv events 'process:log:*'",
    );
  }
  const sets = await withClient(io.env, (client) => client.logFiles(target));
  const files = sets.flatMap((set) => set.files);
  const many = sets.length > 1;
  const print = (record: LogLine) => {
    if (values.json) {
      io.stdout.write(`${JSON.stringify(record)}\n`);
      return;
    }
    const who = many ? `${record.process} ` : '';
    const stream = record.level === 'info' ? '' : `[${record.level}] `;
    io.stdout.write(`${new Date(record.time).toISOString()} ${who}${stream}${record.message}\n`);
  };
  const filter = { ...(level ? { level } : {}), ...(grep ? { grep } : {}) };
  for (const record of await readLastRecords(files, { lines: Number(values.lines), ...filter }))
    print(record);
  if (!values.follow) return 0;
  const follower = followLogs(files, print, { fromEnd: true, ...filter });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  follower.close();
  return 0;
};

export default logs;

import type { CliCommand, CliIO } from '../command.js';
import { withClient } from '../connect.js';
import { printable } from '../errors.js';

/** What `guv flush` was asked: one process (name, id or pid), or every one. */
export interface FlushOptions {
  target: string | null;
}

/** Empties the log files of one process (or of every one) and names them. */
export async function flushLogs(options: FlushOptions, io: CliIO): Promise<number> {
  const { files } = await withClient(io.env, (client) => client.flush(options.target ?? undefined));
  if (files.length === 0) io.stdout.write('no log files to empty\n');
  for (const file of files) io.stdout.write(`emptied ${printable(file)}\n`);
  return 0;
}

/** `guv flush [p]`: empties log files (guv's own and those set with --out-file/--error-file). */
const flush: CliCommand = ({ args: [target] }, io) => flushLogs({ target: target ?? null }, io);

export default flush;

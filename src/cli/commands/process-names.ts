import type { CliCommand } from '../command.js';
import { clientIfRunning } from '../connect.js';

// Only names a shell can take as one word: the completion scripts put these in a word list.
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** `guv __processes`: the running daemon's process names for completion; never starts one. */
const processNames: CliCommand = async (_parsed, io) => {
  const client = await clientIfRunning(io.env).catch(() => null);
  if (client === null) return 0;
  try {
    const names = (await client.listProcesses())
      .map((p) => p.name)
      .filter((n) => SAFE_NAME.test(n));
    if (names.length > 0) io.stdout.write(`${names.join('\n')}\n`);
  } finally {
    await client.disconnect();
  }
  return 0;
};

export default processNames;

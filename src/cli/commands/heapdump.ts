import { resolve } from 'node:path';
import { targetCommand } from '../target-command.js';

/** `guv heapdump <p> [file]`: writes a heap snapshot of the process. */
export default targetCommand('guv heapdump <p> [file]', async (client, target, [file], io) => {
  const params = file === undefined ? { target } : { target, path: resolve(file) };
  const { path } = await client.request<{ path: string }>('heapdump', params, 300_000);
  io.stdout.write(`${path}\n`);
  return 0;
});

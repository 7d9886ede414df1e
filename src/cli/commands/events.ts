import type { CliCommand } from '../command.js';
import { daemonClient } from '../connect.js';
import { GuvError } from '../../errors.js';

const NAMESPACES = ['process', 'cluster', 'worker', 'daemon', 'app'];

/** `guv events [pattern] [--json]`: a live tail of the bus (default pattern `*`) until Ctrl-C. */
const events: CliCommand<{ json?: boolean }> = async ({ args, options: values }, io) => {
  const pattern = args[0] ?? '*';
  const namespace = pattern.split(':')[0];
  // An exact name with a typo in its namespace would otherwise wait forever in silence.
  if (namespace !== '*' && !NAMESPACES.includes(namespace ?? '')) {
    throw new GuvError(
      'GUV_BAD_PATTERN',
      `no events start with "${namespace}": use ${NAMESPACES.join(', ')} or *`,
    );
  }
  const client = await daemonClient(io.env);
  const listener = (type: string, ...eventArgs: unknown[]) => {
    if (values.json)
      io.stdout.write(`${JSON.stringify({ time: Date.now(), type, args: eventArgs })}\n`);
    else
      io.stdout.write(`${new Date().toISOString()} ${type} ${eventArgs.map(describe).join(' ')}\n`);
  };
  const exact = !pattern.includes('*');
  // An exact name's listener gets only the arguments; put the name back for printing.
  try {
    await client.on(
      pattern as '*',
      exact ? (((...a: unknown[]) => listener(pattern, ...a)) as never) : (listener as never),
    );
  } catch (error) {
    // An open connection would keep the CLI alive after printing the error.
    await client.disconnect();
    throw error;
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await client.disconnect();
  return 0;
};

function describe(value: unknown): string {
  if (value && typeof value === 'object' && 'name' in value && 'status' in value) {
    const info = value as { name: string; status: string; pid: number | null };
    return `${info.name}(${info.status}${info.pid === null ? '' : ` pid ${info.pid}`})`;
  }
  return JSON.stringify(value);
}

export default events;

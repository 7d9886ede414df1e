import { targetCommand } from '../target-command.js';

/** `guv exceptions <p>`: the process's stored uncaught exceptions, newest last, with stacks. */
export default targetCommand(async (client, target, _rest, io) => {
  const { name, exceptions } = await client.exceptions(target);
  if (exceptions.length === 0) {
    io.stdout.write(`${name}: no uncaught exceptions\n`);
    return 0;
  }
  for (const exception of exceptions) {
    const how = exception.handled ? 'handled' : 'fatal';
    io.stdout.write(
      `${new Date(exception.time).toISOString()} pid ${exception.pid ?? '-'} (${how})\n`,
    );
    io.stdout.write(
      `${exception.error.stack ?? `${exception.error.name}: ${exception.error.message}`}\n\n`,
    );
  }
  return 0;
});

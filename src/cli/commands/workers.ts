import { GuvError } from '../../errors.js';
import { targetCommand } from '../target-command.js';

/** `guv workers <p> <n>`: resizes a cluster; scaling down retires workers gracefully. */
export default targetCommand(async (client, target, [count], io) => {
  if (count === undefined || !/^\d+$/.test(count)) {
    throw new GuvError('GUV_BAD_ARGUMENT', `the worker count must be a number, got "${count}"`);
  }
  const resized = await client.resizeCluster(target, Number(count));
  io.stdout.write(`${resized.name} ${resized.state ?? resized.status} with ${count} workers\n`);
  return 0;
});

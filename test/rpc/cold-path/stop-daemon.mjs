// Stop the test daemon of GUV_HOME (if any) and wait until it is gone.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const pidFile = join(process.env.GUV_HOME, 'run', 'guv.pid');
let pid;
try {
  pid = JSON.parse(readFileSync(pidFile, 'utf8')).pid;
} catch {
  process.exit(0);
}
try {
  process.kill(pid, 'SIGTERM');
} catch {
  process.exit(0);
}
for (let i = 0; i < 500; i++) {
  try {
    process.kill(pid, 0);
  } catch {
    process.exit(0);
  }
  await new Promise((resolve) => setTimeout(resolve, 5));
}
process.kill(pid, 'SIGKILL');

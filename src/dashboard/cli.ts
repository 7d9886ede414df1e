import { request } from 'node:http';
import type { GuvClient } from '../client/api.js';
import { builtFile } from '../build-output.js';
import { GuvError } from '../errors.js';
import { resolveHome } from '../protocol/home.js';
import { parseStartOptions } from '../protocol/start-options.js';
import { dashboardFiles } from './config.js';
import { MAX_PASSWORD_BYTES } from './passwords.js';
import { setPassword } from './users.js';

export const DASHBOARD_PROCESS = 'guv-web';
export const DEFAULT_PORT = 8420;

export interface WebOptions {
  port: number;
}

export interface WebIO {
  stdout: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/**
 * `guv web`: runs the dashboard as the supervised process `guv-web` (started if it is not
 * running) and prints its address once it answers.
 */
export async function runWeb(client: GuvClient, options: WebOptions, io: WebIO): Promise<number> {
  const existing = await client.findProcessInfoByName(DASHBOARD_PROCESS);
  let port = options.port;
  if (existing) {
    const details = await client.info(existing.id);
    const args = details.definition.spec.args;
    const at = args.indexOf('--port');
    port = Number(args[at + 1] ?? DEFAULT_PORT);
    if (details.status !== 'running')
      await client.request('start', parseStartOptions({ target: existing.id }));
  } else {
    const args = ['--port', String(port), ...(io.env.GUV_HOME ? ['--home', io.env.GUV_HOME] : [])];
    await client.startProcess(builtFile('dashboard/start.cjs', 'dashboard'), {
      name: DASHBOARD_PROCESS,
      args,
      cwd: '/',
    });
  }
  await waitForDashboard(port, 30_000);
  io.stdout.write(`http://127.0.0.1:${port}/\n`);
  return 0;
}

/** `guv web passwd <user>`: sets a dashboard user's password, read from stdin (first line). */
export async function runPasswd(
  user: string,
  stdin: NodeJS.ReadableStream,
  io: WebIO,
): Promise<number> {
  const password = await readPassword(stdin);
  const { users } = dashboardFiles(resolveHome(io.env));
  await setPassword(users, user, password);
  io.stdout.write(`password set for ${user} in ${users}\n`);
  return 0;
}

async function readPassword(stdin: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stdin) {
    text += String(chunk);
    if (text.includes('\n') || text.length > MAX_PASSWORD_BYTES * 4) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/', method: 'HEAD', timeout: 2000 },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

async function waitForDashboard(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await answers(port))) {
    if (Date.now() > deadline) {
      throw new GuvError(
        'GUV_DASHBOARD_NOT_READY',
        `the dashboard did not answer on 127.0.0.1:${port} within ${timeoutMs / 1000} s`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

import { APP_OUTPUT_EVENT } from '../apps/output-event.js';
import type { AppInfo, AppSummary, CurrentRef, GitRef, RefSwitch } from '../protocol/replies.js';
import type { Connection, RpcEventListener } from './connection.js';

export type { AppInfo, AppSummary, CurrentRef, GitRef, RefSwitch };

/** Receives git and npm output while an app operation runs (subject: app name or URL). */
export type AppOutputListener = (chunk: string, subject: string) => void;

export interface InstallAppOptions {
  /** Default: package.json's name without its scope, else the repository's folder name. */
  name?: string;
  /** Run git, npm and the app as this user (the daemon must be root). */
  user?: string;
  /** Branch or tag to check out; default: the repository's default branch. */
  ref?: string;
  /** Resolves a relative local path in the URL; default: this process's cwd. */
  cwd?: string;
  onOutput?: AppOutputListener;
}

export interface AppOutputOptions {
  onOutput?: AppOutputListener;
}

// Cloning and npm can take minutes on a slow network.
const LONG_MS = 30 * 60_000;
const SHORT_MS = 60_000;

/**
 * Run `call` with the daemon's `app:output` events for it going to `onOutput`; `call` gets
 * whether to ask the daemon for them.
 */
async function withOutput<T>(
  connection: Connection,
  onOutput: AppOutputListener | undefined,
  call: (output: boolean) => Promise<T>,
): Promise<T> {
  if (!onOutput) return call(false);
  const listener: RpcEventListener = (_type, [subject, chunk]) =>
    onOutput(String(chunk), String(subject));
  await connection.subscribe(APP_OUTPUT_EVENT, listener);
  try {
    return await call(true);
  } finally {
    await connection.unsubscribe(APP_OUTPUT_EVENT, listener).catch(() => {});
  }
}

/** The app operations of the client API, as functions of a connection. */
export const appRequests = {
  install(connection: Connection, url: string, options: InstallAppOptions = {}): Promise<AppInfo> {
    const { onOutput, ...rest } = options;
    return withOutput(connection, onOutput, (output) =>
      connection.request(
        'installApp',
        { cwd: process.cwd(), ...rest, url, output },
        { timeoutMs: LONG_MS },
      ),
    );
  },
  list(connection: Connection): Promise<AppSummary[]> {
    return connection.request('listApps', undefined, { timeoutMs: SHORT_MS });
  },
  remove(
    connection: Connection,
    name: string,
    options: { force?: boolean } = {},
  ): Promise<AppInfo> {
    return connection.request(
      'removeApp',
      { name, force: options.force === true },
      { timeoutMs: LONG_MS },
    );
  },
  listRefs(connection: Connection, name: string): Promise<GitRef[]> {
    return connection.request('listRefs', { name }, { timeoutMs: SHORT_MS });
  },
  updateRefs(
    connection: Connection,
    name: string,
    options: AppOutputOptions = {},
  ): Promise<GitRef[]> {
    return withOutput(connection, options.onOutput, (output) =>
      connection.request('updateRefs', { name, output }, { timeoutMs: LONG_MS }),
    );
  },
  setRef(
    connection: Connection,
    name: string,
    ref: string,
    options: AppOutputOptions = {},
  ): Promise<RefSwitch> {
    return withOutput(connection, options.onOutput, (output) =>
      connection.request('setRef', { name, ref, output }, { timeoutMs: LONG_MS }),
    );
  },
  currentRef(connection: Connection, name: string): Promise<CurrentRef> {
    return connection.request('currentRef', { name }, { timeoutMs: SHORT_MS });
  },
};

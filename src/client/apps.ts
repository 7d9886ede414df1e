import { APP_OUTPUT_EVENT } from '../apps/output-event.js';
import type { GitRef } from '../apps/refs.js';
import type { AppSummary } from '../daemon/app-service.js';
import type { AppInfo } from '../types/info.js';
import type { GuvClient } from './api.js';

export type { AppInfo, AppSummary, GitRef };

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

export interface RefSwitch {
  app: AppInfo;
  oldRef: string | null;
  newRef: string;
}

// Cloning and npm can take minutes on a slow network.
const LONG_MS = 30 * 60_000;
const SHORT_MS = 60_000;

/**
 * Run `call` with the daemon's `app:output` events for it going to `onOutput`; `call` gets
 * whether to ask the daemon for them.
 */
async function withOutput<T>(
  client: GuvClient,
  onOutput: AppOutputListener | undefined,
  call: (output: boolean) => Promise<T>,
): Promise<T> {
  if (!onOutput) return call(false);
  const listener = (subject: string, chunk: string) => onOutput(chunk, subject);
  const off = await client.on(APP_OUTPUT_EVENT as 'app:installed', listener as never);
  try {
    return await call(true);
  } finally {
    await off().catch(() => {});
  }
}

/** The app operations of {@link GuvClient}, as functions of a client. */
export const appRequests = {
  install(client: GuvClient, url: string, options: InstallAppOptions = {}): Promise<AppInfo> {
    const { onOutput, ...rest } = options;
    return withOutput(client, onOutput, (output) =>
      client.request<AppInfo>('installApp', { cwd: process.cwd(), ...rest, url, output }, LONG_MS),
    );
  },
  list(client: GuvClient): Promise<AppSummary[]> {
    return client.request('listApps', undefined, SHORT_MS);
  },
  remove(client: GuvClient, name: string, options: { force?: boolean } = {}): Promise<AppInfo> {
    return client.request('removeApp', { name, force: options.force === true }, LONG_MS);
  },
  listRefs(client: GuvClient, name: string): Promise<GitRef[]> {
    return client.request('listRefs', { name }, SHORT_MS);
  },
  updateRefs(client: GuvClient, name: string, options: AppOutputOptions = {}): Promise<GitRef[]> {
    return withOutput(client, options.onOutput, (output) =>
      client.request<GitRef[]>('updateRefs', { name, output }, LONG_MS),
    );
  },
  setRef(
    client: GuvClient,
    name: string,
    ref: string,
    options: AppOutputOptions = {},
  ): Promise<RefSwitch> {
    return withOutput(client, options.onOutput, (output) =>
      client.request<RefSwitch>('setRef', { name, ref, output }, LONG_MS),
    );
  },
  currentRef(client: GuvClient, name: string): Promise<{ ref: string | null; commit: string }> {
    return client.request('currentRef', { name }, SHORT_MS);
  },
};

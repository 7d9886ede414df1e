import type { GuvClient } from '../client/api.js';
import { GuvError } from '../errors.js';
import type { LogRecord } from '../types/info.js';
import type { HostEntry } from './config.js';
import type { HostFactory } from './hosts.js';
import { LIFECYCLE_EVENTS, LOG_PATTERNS } from './lifecycle-events.js';
import type { BrowserStream, StreamMessage } from './stream.js';

export interface HubOptions {
  hosts: HostEntry[];
  connectHost: HostFactory;
  /** How often the process list and each host's status are read while a page is open. */
  listEveryMs?: number;
  statusEveryMs?: number;
  /** How often an open process page's figures are sampled. */
  sampleEveryMs?: number;
}

type Off = () => Promise<void>;

interface HostLink {
  entry: HostEntry;
  client: Promise<GuvClient> | null;
  error: string | null;
  /** Subscriptions on the daemon; present only while a page is open. */
  offs: Off[] | null;
  logOffs: Off[] | null;
}

const CONNECTION_LOST = new Set([
  'GUV_DAEMON_GONE',
  'GUV_CONNECTION_CLOSED',
  'GUV_DAEMON_NOT_RUNNING',
  'GUV_DAEMON_UNREACHABLE',
]);

/**
 * The dashboard's links to its hosts. A host is subscribed to (and polled) only while at least
 * one page's stream is open, and its log lines only while a page shows one of its processes:
 * with no page open, the daemons do no work for the dashboard at all.
 */
export function createHub(options: HubOptions) {
  const links = new Map<string, HostLink>();
  for (const entry of options.hosts) {
    links.set(entry.name, { entry, client: null, error: null, offs: null, logOffs: null });
  }
  const streams = new Set<BrowserStream>();
  let timers: NodeJS.Timeout[] = [];
  let syncing = Promise.resolve();

  function link(name: string): HostLink {
    const found = links.get(name);
    if (!found) throw new GuvError('GUV_DASHBOARD_UNKNOWN_HOST', `no host named "${name}"`);
    return found;
  }

  function clientOf(host: HostLink): Promise<GuvClient> {
    if (host.client === null) {
      const connecting = options.connectHost(host.entry);
      host.client = connecting;
      connecting.then(
        () => {
          host.error = null;
        },
        (error: unknown) => {
          if (host.client === connecting) host.client = null;
          host.error = messageOf(error);
        },
      );
    }
    return host.client;
  }

  function lost(host: HostLink, error: unknown): void {
    if (!(error instanceof GuvError) || !CONNECTION_LOST.has(error.code)) return;
    const old = host.client;
    host.client = null;
    host.offs = null;
    host.logOffs = null;
    host.error = messageOf(error);
    old?.then((c) => c.disconnect()).catch(() => {});
  }

  /** Runs `call` on the host's client; a lost connection is dropped, to be opened again next time. */
  async function withHost<T>(name: string, call: (client: GuvClient) => Promise<T>): Promise<T> {
    const host = link(name);
    try {
      return await call(await clientOf(host));
    } catch (error) {
      lost(host, error);
      throw error;
    }
  }

  function broadcast(message: StreamMessage, only?: (stream: BrowserStream) => boolean): void {
    for (const stream of streams) if (!only || only(stream)) stream.push(message);
  }

  const focusedOn = (host: string, id?: string) => (stream: BrowserStream) =>
    stream.focus !== null &&
    stream.focus.host === host &&
    (id === undefined || stream.focus.id === id);

  function onLifecycle(host: string) {
    return (type: string, ...args: unknown[]) => {
      if (type.startsWith('app:')) {
        broadcast({ t: 'app', host, event: type, args });
        return;
      }
      const info = args[0] as { id?: string } | undefined;
      if (typeof info?.id !== 'string') return;
      broadcast({ t: 'proc', host, id: info.id, info, event: type, time: Date.now() });
      if (type.startsWith('worker:')) {
        const worker = args[1] as { id?: string } | undefined;
        if (typeof worker?.id === 'string') {
          broadcast({
            t: 'proc',
            host,
            id: worker.id,
            info: worker,
            event: type,
            time: Date.now(),
          });
        }
      }
    };
  }

  function onLog(host: string) {
    return (type: string, ...args: unknown[]) => {
      const [source, , level] = type.split(':');
      const owner = args[0] as { id?: string } | undefined;
      const record = args.at(-1) as LogRecord | undefined;
      if (typeof owner?.id !== 'string' || !record || typeof record.message !== 'string') return;
      const worker = source === 'worker' ? (args[1] as { name?: string } | undefined) : undefined;
      broadcast(
        {
          t: 'log',
          host,
          id: owner.id,
          level: level ?? 'info',
          source: worker?.name ?? source ?? '',
          date: record.date,
          message: record.message.slice(0, 8192),
        },
        focusedOn(host, owner.id),
      );
    };
  }

  async function subscribeAll(
    host: HostLink,
    patterns: readonly string[],
    listener: (type: string, ...args: unknown[]) => void,
  ): Promise<Off[]> {
    const client = await clientOf(host);
    const offs: Off[] = [];
    try {
      for (const pattern of patterns) {
        const exact = !pattern.includes('*');
        const wire = exact
          ? (...args: unknown[]) => listener(pattern, ...args)
          : (type: string, ...args: unknown[]) => listener(type, ...args);
        offs.push(await client.on(pattern as 'process:exit', wire as never));
      }
    } catch (error) {
      for (const off of offs) await off().catch(() => {});
      throw error;
    }
    return offs;
  }

  /** Brings each host's subscriptions in line with the open pages. */
  async function sync(): Promise<void> {
    const anyOpen = streams.size > 0;
    for (const host of links.values()) {
      const name = host.entry.name;
      const wantLogs = [...streams].some(focusedOn(name));
      try {
        if (anyOpen && host.offs === null) {
          host.offs = [];
          host.offs = await subscribeAll(host, LIFECYCLE_EVENTS, onLifecycle(name));
        } else if (!anyOpen && host.offs !== null) {
          const offs = host.offs;
          host.offs = null;
          for (const off of offs) await off().catch(() => {});
        }
        if (wantLogs && host.logOffs === null) {
          host.logOffs = [];
          host.logOffs = await subscribeAll(host, LOG_PATTERNS, onLog(name));
        } else if (!wantLogs && host.logOffs !== null) {
          const offs = host.logOffs;
          host.logOffs = null;
          for (const off of offs) await off().catch(() => {});
        }
      } catch (error) {
        host.offs = host.offs?.length ? host.offs : null;
        host.logOffs = host.logOffs?.length ? host.logOffs : null;
        lost(host, error);
        host.error = messageOf(error);
      }
    }
    if (!anyOpen) {
      for (const timer of timers) clearInterval(timer);
      timers = [];
    } else if (timers.length === 0) startPolling();
  }

  function resync(): void {
    syncing = syncing.then(sync, sync);
  }

  async function pollList(name: string): Promise<void> {
    try {
      const list = await withHost(name, (c) => c.listProcesses());
      broadcast({ t: 'list', host: name, list });
    } catch (error) {
      broadcast({ t: 'host', host: name, ok: false, error: messageOf(error) });
    }
  }

  async function pollStatus(name: string): Promise<void> {
    try {
      const status = await withHost(name, (c) => c.status());
      broadcast({ t: 'host', host: name, ok: true, status });
    } catch (error) {
      broadcast({ t: 'host', host: name, ok: false, error: messageOf(error) });
    }
  }

  async function sample(focus: { host: string; id: string }): Promise<void> {
    try {
      const info = await withHost(focus.host, (c) => c.info(focus.id));
      const m = info.metrics;
      const figure = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? null : v);
      broadcast(
        {
          t: 'sample',
          host: focus.host,
          id: focus.id,
          sample: {
            time: Date.now(),
            cpu: info.cpu,
            rss: info.memory ?? figure(m?.rssBytes),
            heap: figure(m?.heapUsedBytes),
            loop: figure(m?.loopDelayP99Ms),
          },
        },
        focusedOn(focus.host, focus.id),
      );
    } catch {}
  }

  let busy = false;
  function startPolling(): void {
    const every = (ms: number, run: () => Promise<void>) => {
      let running = false;
      const timer = setInterval(() => {
        if (running) return; // A slow host is skipped a round, never queued up.
        running = true;
        run().finally(() => {
          running = false;
        });
      }, ms);
      timers.push(timer);
    };
    every(options.listEveryMs ?? 2000, async () => {
      await Promise.all([...links.keys()].map(pollList));
      if (!busy) resync(); // Reconnects and resubscribes a host that came back.
    });
    every(options.statusEveryMs ?? 3000, () =>
      Promise.all([...links.keys()].map(pollStatus)).then(() => {}),
    );
    every(options.sampleEveryMs ?? 1000, async () => {
      const focused = new Map<string, { host: string; id: string }>();
      for (const stream of streams)
        if (stream.focus) focused.set(`${stream.focus.host}\0${stream.focus.id}`, stream.focus);
      await Promise.all([...focused.values()].map(sample));
    });
  }

  return {
    hostNames(): string[] {
      return [...links.keys()];
    },
    hostEntry(name: string): HostEntry {
      return link(name).entry;
    },
    hostError(name: string): string | null {
      return link(name).error;
    },
    withHost,
    broadcast,
    /** Adds a page's stream; the hosts are subscribed to for as long as one is open. */
    attach(stream: BrowserStream): void {
      streams.add(stream);
      stream.onClose(() => {
        streams.delete(stream);
        resync();
      });
      resync();
      for (const name of links.keys()) {
        void pollStatus(name);
        void pollList(name);
      }
      if (stream.focus) void sample(stream.focus);
    },
    /** Settles once the subscriptions match the open pages (tests). */
    settled(): Promise<void> {
      return syncing;
    },
    subscribed(name: string): boolean {
      return link(name).offs !== null;
    },
    async close(): Promise<void> {
      busy = true;
      for (const stream of streams) stream.end();
      streams.clear();
      for (const timer of timers) clearInterval(timer);
      timers = [];
      await syncing.catch(() => {});
      for (const host of links.values()) {
        const client = host.client;
        host.client = null;
        await client?.then((c) => c.disconnect()).catch(() => {});
      }
    },
  };
}

export type Hub = ReturnType<typeof createHub>;

export function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

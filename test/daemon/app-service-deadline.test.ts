import { existsSync, readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunAs } from '../../src/actors/git/run-as.js';
import { createAppRegistry } from '../../src/apps/registry.js';
import { type AppService, createAppService } from '../../src/apps/service/app-service.js';
import type { BusEvent } from '../../src/bus/events.js';
import type { AppInfo } from '../../src/types/info.js';
import { makeTempDir, removeDir } from '../apps/git-fixtures.js';

// A user lookup that never answers (a hung NSS/LDAP server, say): every git and npm operation
// waits on it first, so the app chart never reaches an outcome.
const never = (): Promise<RunAs | null> => new Promise(() => {});

let base: string;
let apps: AppService | undefined;

beforeEach(async () => {
  base = await makeTempDir('guv-app-deadline-');
  await mkdir(join(base, 'apps'));
});
afterEach(async () => {
  apps?.stopAll();
  apps = undefined;
  await removeDir(base);
});

function service(runAsFor: (app: { user: string | null }) => Promise<RunAs | null>) {
  const published: BusEvent[] = [];
  apps = createAppService({
    appsRoot: join(base, 'apps'),
    registryFile: join(base, 'apps.json'),
    clock: { now: () => Date.now() },
    publish: (event) => void published.push(event),
    onChartError: () => {},
    runAsFor,
    timeoutsMs: { install: 300, updateRefs: 300, setRef: 300, remove: 300 },
  });
  return { apps, published };
}

async function installedApp(): Promise<AppInfo> {
  const app: AppInfo = {
    name: 'web',
    url: 'file:///srv/git/web',
    user: null,
    ref: 'main',
    commit: 'c0ffee',
    dir: join(base, 'apps', 'web'),
  };
  await createAppRegistry(join(base, 'apps.json')).add(app);
  return app;
}

describe('an app request whose chart never settles', () => {
  it('is answered with GUV_TIMEOUT: updateRefs, setRef and remove each have a deadline', async () => {
    const app = await installedApp();
    const { apps } = service(never);
    await apps.restore();

    await expect(apps.updateRefs('web', null)).rejects.toMatchObject({
      code: 'GUV_TIMEOUT',
      message: 'updateRefs of app "web" did not finish within 300 ms (state updatingRefs)',
    });
    // Still at work: the next request is refused, not queued behind it.
    await expect(apps.setRef('web', 'v2', null)).rejects.toMatchObject({ code: 'GUV_BUSY' });
    expect(apps.get('web')).toEqual(app);
  }, 20_000);

  it('is answered with GUV_TIMEOUT for setRef and remove too', async () => {
    await installedApp();
    const first = service(never).apps;
    await first.restore();
    await expect(first.setRef('web', 'v2', null)).rejects.toMatchObject({
      code: 'GUV_TIMEOUT',
      message: expect.stringMatching(/^setRef of app "web" did not finish within 300 ms/),
    });
    first.stopAll();

    const second = service(never).apps;
    await second.restore();
    await expect(second.remove('web', null)).rejects.toMatchObject({
      code: 'GUV_TIMEOUT',
      message: 'remove of app "web" did not finish within 300 ms (state removing)',
    });
    expect(second.has('web')).toBe(true);
  }, 20_000);

  it('an install that never finishes is answered with GUV_TIMEOUT and leaves no app behind', async () => {
    let lookups = 0;
    // The service's own lookup answers; the chart's clone then waits on one that never does.
    const { apps, published } = service(() => (lookups++ === 0 ? Promise.resolve(null) : never()));
    await apps.restore();
    await expect(
      apps.install({ url: 'file:///srv/git/web', name: 'web', user: null, ref: null }, null),
    ).rejects.toMatchObject({
      code: 'GUV_TIMEOUT',
      message: 'install of app "web" did not finish within 300 ms (state cloning)',
    });
    expect(apps.list()).toEqual([]);
    expect(apps.has('web')).toBe(false);
    expect(existsSync(join(base, 'apps', '.web.installing'))).toBe(false);
    expect(published).toEqual([]);
  }, 20_000);

  it('an install without a name whose clone hears nothing from the server is answered with GUV_TIMEOUT', async () => {
    // A git server that accepts and then says nothing, as a stalled network does.
    const sockets = new Set<Socket>();
    const server: Server = createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const { apps } = service(() => Promise.resolve(null));
      await apps.restore();
      const url = `git://127.0.0.1:${port}/web.git`;
      await expect(
        apps.install({ url, name: null, user: null, ref: null }, null),
      ).rejects.toMatchObject({
        code: 'GUV_TIMEOUT',
        message: `install of ${url} did not finish within 300 ms (cloning it to read its name)`,
      });
      expect(apps.list()).toEqual([]);
      expect(readdirSync(join(base, 'apps'))).toEqual([]);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 20_000);
});

import { readFile } from '../fs/async-fs.js';
import { writeFileAtomic } from '../fs/atomic-file.js';
import { GuvError } from '../errors.js';
import type { AppInfo } from '../types/info.js';

/** The installed apps, persisted as one JSON file written atomically after every change. */
export interface AppRegistry {
  list(): Promise<AppInfo[]>;
  get(name: string): Promise<AppInfo | undefined>;
  /** Throws GUV_APP_EXISTS when the name is taken. */
  add(app: AppInfo): Promise<AppInfo>;
  /** Throws GUV_APP_NOT_FOUND; `name` and `dir` cannot change. */
  update(name: string, changes: Partial<Omit<AppInfo, 'name' | 'dir'>>): Promise<AppInfo>;
  /** Throws GUV_APP_NOT_FOUND. */
  remove(name: string): Promise<AppInfo>;
}

interface RegistryFile {
  version: 1;
  apps: AppInfo[];
}

/**
 * Open the registry kept in `file` (created on the first change). Changes are applied one at
 * a time, each read-modify-write finishing before the next starts.
 *
 * @example
 * const apps = createAppRegistry('/var/lib/guv/apps.json');
 * await apps.add({ name: 'shop', url, user: null, ref: 'main', commit, dir });
 */
export function createAppRegistry(file: string): AppRegistry {
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  };
  const change = (edit: (apps: AppInfo[]) => AppInfo) =>
    serial(async () => {
      const apps = await load(file);
      const result = edit(apps);
      const data: RegistryFile = { version: 1, apps };
      await writeFileAtomic(file, `${JSON.stringify(data, null, 2)}\n`);
      return { ...result };
    });
  const find = (apps: AppInfo[], name: string) => {
    const index = apps.findIndex((app) => app.name === name);
    if (index === -1) throw new GuvError('GUV_APP_NOT_FOUND', `no app called "${name}"`);
    return index;
  };

  return {
    list: () => serial(() => load(file)),
    get: (name) => serial(async () => (await load(file)).find((app) => app.name === name)),
    add: (app) =>
      change((apps) => {
        if (apps.some((known) => known.name === app.name)) {
          throw new GuvError('GUV_APP_EXISTS', `an app called "${app.name}" is already installed`);
        }
        const entry = { ...app };
        apps.push(entry);
        return entry;
      }),
    update: (name, changes) =>
      change((apps) => {
        const index = find(apps, name);
        const current = apps[index]!;
        const next = { ...current, ...changes, name: current.name, dir: current.dir };
        apps[index] = next;
        return next;
      }),
    remove: (name) =>
      change((apps) => {
        const [removed] = apps.splice(find(apps, name), 1);
        return removed!;
      }),
  };
}

async function load(file: string): Promise<AppInfo[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  try {
    const data = JSON.parse(text) as Partial<RegistryFile>;
    if (data.version !== 1 || !Array.isArray(data.apps) || !data.apps.every(isAppInfo)) {
      throw new Error('unknown layout');
    }
    return data.apps;
  } catch (error) {
    throw new GuvError('GUV_REGISTRY_CORRUPT', `app registry ${file} cannot be read`, {
      cause: error,
    });
  }
}

function isAppInfo(value: unknown): value is AppInfo {
  const app = value as AppInfo;
  return (
    typeof app === 'object' &&
    app !== null &&
    typeof app.name === 'string' &&
    typeof app.url === 'string' &&
    typeof app.dir === 'string'
  );
}
